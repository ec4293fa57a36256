/**
 * Python's built-in exception hierarchy, so that translated `raise` / `except` and Flask's
 * `errorhandler(ExceptionClass)` keep their meaning (most specific class first, `except
 * Exception` catching an `HTTPException`, `str(error)` giving the message).
 */
export class BaseException extends Error {
  /** Python's positional arguments: `str(e)` is args[0] when there is one argument. */
  readonly args: unknown[]
  constructor(...args: unknown[]) {
    super(args.length === 0 ? '' : String(args[0]))
    this.args = args
    this.name = new.target.name
    // Python exceptions have no `message`: a class attribute of that name (the Flask docs' APIError) is what instances read.
    const declared = (new.target as unknown as { message?: unknown }).message
    if (declared !== undefined) (this as { message: unknown }).message = declared
  }
}
export class Exception extends BaseException {}
export class ArithmeticError extends Exception {}
export class ZeroDivisionError extends ArithmeticError {}
export class OverflowError extends ArithmeticError {}
export class AssertionError extends Exception {}
export class AttributeError extends Exception {}
export class LookupError extends Exception {}
export class IndexError extends LookupError {}
export class KeyError extends LookupError {}
export class NameError extends Exception {}
export class RuntimeError extends Exception {}
export class NotImplementedError extends RuntimeError {}
export class RecursionError extends RuntimeError {}
export class StopIteration extends Exception {}
export class TypeError extends Exception {}
export class ValueError extends Exception {}
export class UnicodeError extends ValueError {}
export class UnicodeDecodeError extends UnicodeError {}
export class OSError extends Exception {}
