/**
 * Python's `logging` as handlers use it, writing to the service's stderr: `logging.getLogger(name)`
 * and the module functions (`logging.info(...)`), and Flask's `current_app.logger`. Messages are
 * `msg % args` as in Python. With no configuration, Python prints WARNING and above as the bare
 * message (its "last resort" handler), and Flask's app logger adds its default format
 * `[time] LEVEL in module: message`; `LOG_LEVEL` (a level name) sets the threshold of both.
 */
import { ValueError } from './exceptions.js'
import { percentFormat, repr, str, tuple, type Py } from './py.js'

export const DEBUG = 10
export const INFO = 20
export const WARNING = 30
export const ERROR = 40
export const CRITICAL = 50

const NAMES: Record<number, string> = {
  10: 'DEBUG',
  20: 'INFO',
  30: 'WARNING',
  40: 'ERROR',
  50: 'CRITICAL',
}
const BY_NAME: Record<string, number> = {
  DEBUG,
  INFO,
  WARNING,
  WARN: WARNING,
  ERROR,
  CRITICAL,
  FATAL: CRITICAL,
}

function threshold(): number {
  const configured = process.env.LOG_LEVEL?.toUpperCase()
  return configured !== undefined && configured in BY_NAME ? BY_NAME[configured] : WARNING
}

function levelOf(level: Py): number {
  if (typeof level === 'number') return level
  if (typeof level === 'string' && level.toUpperCase() in BY_NAME)
    return BY_NAME[level.toUpperCase()]
  throw new ValueError(`Unknown level: ${repr(level)}`)
}

/** Python's asctime: `2024-01-02 03:04:05,678` in local time. */
function asctime(date: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())},${pad(date.getMilliseconds(), 3)}`
}

export class Logger {
  constructor(
    readonly name: string,
    private readonly format: (levelName: string, message: string) => string,
    /** The level set with `setLevel` (0: NOTSET, the threshold applies), shared by the views of one logger. */
    private readonly state = { level: 0 },
  ) {}

  get level(): number {
    return this.state.level
  }

  setLevel(level: Py): null {
    this.state.level = levelOf(level)
    return null
  }
  getEffectiveLevel(): number {
    return this.level || threshold()
  }
  isEnabledFor(level: Py): boolean {
    return levelOf(level) >= this.getEffectiveLevel()
  }
  log(level: Py, msg: Py, ...args: Py[]): null {
    const n = levelOf(level)
    if (n < this.getEffectiveLevel()) return null
    const text =
      args.length === 0
        ? str(msg)
        : percentFormat(str(msg), args.length === 1 ? args[0] : tuple(...args))
    process.stderr.write(this.format(NAMES[n] ?? `Level ${n}`, text) + '\n')
    return null
  }
  debug(msg: Py, ...args: Py[]): null {
    return this.log(DEBUG, msg, ...args)
  }
  info(msg: Py, ...args: Py[]): null {
    return this.log(INFO, msg, ...args)
  }
  warning(msg: Py, ...args: Py[]): null {
    return this.log(WARNING, msg, ...args)
  }
  warn(msg: Py, ...args: Py[]): null {
    return this.log(WARNING, msg, ...args)
  }
  error(msg: Py, ...args: Py[]): null {
    return this.log(ERROR, msg, ...args)
  }
  /** `logger.exception(msg)`: ERROR (the traceback Python appends is not reproduced). */
  exception(msg: Py, ...args: Py[]): null {
    return this.log(ERROR, msg, ...args)
  }
  critical(msg: Py, ...args: Py[]): null {
    return this.log(CRITICAL, msg, ...args)
  }
}

const loggers = new Map<string, Logger>()

/** `logging.getLogger(name=None)`: one logger per name, the root logger without one. */
export function getLogger(name: Py = null): Logger {
  const key = name === null || name === undefined || name === 'root' ? 'root' : str(name)
  let logger = loggers.get(key)
  if (!logger) loggers.set(key, (logger = new Logger(key, (_level, message) => message)))
  return logger
}

const appLoggers = new Map<string, Logger>()
const appLevel = { level: 0 }

/** Flask's `current_app.logger` as seen from a module of the app (Flask's format names the module). */
export function appLogger(module: string): Logger {
  let logger = appLoggers.get(module)
  if (!logger)
    appLoggers.set(
      module,
      (logger = new Logger(
        module,
        (level, message) => `[${asctime(new Date())}] ${level} in ${module}: ${message}`,
        appLevel,
      )),
    )
  return logger
}

/** The module functions (`logging.info(...)`): the root logger's methods. */
export function debug(msg: Py, ...args: Py[]): null {
  return getLogger().debug(msg, ...args)
}
export function info(msg: Py, ...args: Py[]): null {
  return getLogger().info(msg, ...args)
}
export function warning(msg: Py, ...args: Py[]): null {
  return getLogger().warning(msg, ...args)
}
export function error(msg: Py, ...args: Py[]): null {
  return getLogger().error(msg, ...args)
}
export function exception(msg: Py, ...args: Py[]): null {
  return getLogger().exception(msg, ...args)
}
export function critical(msg: Py, ...args: Py[]): null {
  return getLogger().critical(msg, ...args)
}
export function log(level: Py, msg: Py, ...args: Py[]): null {
  return getLogger().log(level, msg, ...args)
}
