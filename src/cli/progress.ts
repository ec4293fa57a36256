/**
 * The progress line on stderr: on a terminal for runs over a second (`--progress` shows it
 * anywhere, `--quiet` never). On a terminal it is rewritten in place at most ten times a second
 * and erased at the end, so it never mixes with the report on stdout; elsewhere (`--progress`
 * into a log) it is a line per step, and one a second between steps.
 */
export class ProgressLine {
  private readonly started = Date.now()
  private shown = false
  private lastWrite = 0
  private text = ''
  private readonly timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly write: (text: string) => void,
    private readonly mode: 'tty' | 'always' | 'never',
  ) {
    // Redrawn while the work runs in worker threads or awaits (the elapsed time moves on).
    if (mode !== 'never') this.timer = setInterval(() => this.maybeDraw(), 250).unref()
  }

  /** Sets what the line says (`3/12 apps, 480/1,900 files parsed`); the elapsed time is added. */
  update(text: string): void {
    const changed = text !== this.text
    this.text = text
    // Into a log every step is a line of its own; on a terminal the line is redrawn when due.
    this.maybeDraw(this.mode === 'always' && changed)
  }

  /** Erases the line (on a terminal) and stops redrawing it. */
  done(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    if (this.shown) this.write('\r\x1b[K')
    this.shown = false
  }

  private maybeDraw(force = false): void {
    if (this.mode === 'never' || this.text === '') return
    const now = Date.now()
    if (this.mode === 'tty' && now - this.started < 1000) return
    if (!force && now - this.lastWrite < (this.mode === 'tty' ? 100 : 1000)) return
    this.lastWrite = now
    const line = `migrate: ${this.text} · ${((now - this.started) / 1000).toFixed(1)} s`
    this.write(this.mode === 'tty' ? `\r\x1b[K${line}` : `${line}\n`)
    this.shown = this.mode === 'tty'
  }
}

/** How the progress line shows: --quiet wins over --progress; otherwise only on a terminal. */
export function progressMode(options: { progress?: boolean; quiet?: boolean }, stderrIsTerminal: boolean): 'tty' | 'always' | 'never' {
  if (options.quiet === true) return 'never'
  if (options.progress === true) return stderrIsTerminal ? 'tty' : 'always'
  return stderrIsTerminal ? 'tty' : 'never'
}
