/**
 * The file object of Flask's `open_resource(resource, mode="rb")`, for a file of the Flask project
 * whose content the migration carried into the generated code (translate/flask/resources.ts):
 * `read`, `readline`, `readlines`, iteration by line, `close`, `with`. Mode "rb" gives bytes,
 * "r"/"rt" text (UTF-8, universal newlines, as Python's text mode on Linux).
 */
import { ValueError } from './exceptions.js'

export class ResourceFile {
  /** The file's path in the Flask project (Python has the absolute path of the file). */
  readonly name: string
  readonly mode: string
  closed = false
  readonly #data: Uint8Array | string
  #position = 0

  constructor(name: string, data: Uint8Array, mode: string) {
    this.name = name
    this.mode = mode
    this.#data =
      mode === 'rb' ? data : new TextDecoder('utf-8').decode(data).replace(/\r\n?/g, '\n')
  }

  #check(): void {
    if (this.closed) throw new ValueError('I/O operation on closed file.')
  }

  #slice(start: number, end: number): Uint8Array | string {
    return typeof this.#data === 'string'
      ? this.#data.slice(start, end)
      : this.#data.slice(start, end)
  }

  /** `read(size=-1)`: the rest, or at most `size` bytes (characters in text mode). */
  read(size: unknown = -1): Uint8Array | string {
    this.#check()
    const length = this.#data.length
    const n =
      size === null || size === undefined || Number(size) < 0
        ? length - this.#position
        : Math.min(Number(size), length - this.#position)
    const out = this.#slice(this.#position, this.#position + n)
    this.#position += n
    return out
  }

  /** `readline()`: up to and including the next newline. */
  readline(): Uint8Array | string {
    this.#check()
    const data = this.#data
    let end =
      typeof data === 'string'
        ? data.indexOf('\n', this.#position)
        : data.indexOf(0x0a, this.#position)
    end = end < 0 ? data.length : end + 1
    const out = this.#slice(this.#position, end)
    this.#position = end
    return out
  }

  readlines(): (Uint8Array | string)[] {
    const lines: (Uint8Array | string)[] = []
    for (;;) {
      const line = this.readline()
      if (line.length === 0) return lines
      lines.push(line)
    }
  }

  close(): null {
    this.closed = true
    return null
  }

  __enter__(): this {
    this.#check()
    return this
  }

  __exit__(_type: unknown = null, _value: unknown = null, _traceback: unknown = null): boolean {
    this.close()
    return false
  }

  *[Symbol.iterator](): Iterator<Uint8Array | string> {
    for (;;) {
      const line = this.readline()
      if (line.length === 0) return
      yield line
    }
  }
}

/** `open_resource(...)`: `content` is the file's text (UTF-8) or its bytes in base64. */
export function openResource(
  name: string,
  content: { text: string } | { base64: string },
  mode = 'rb',
): ResourceFile {
  const data =
    'text' in content
      ? new TextEncoder().encode(content.text)
      : new Uint8Array(Buffer.from(content.base64, 'base64'))
  return new ResourceFile(name, data, mode)
}
