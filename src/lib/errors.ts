/**
 * One error style for people. A `UserError` is a mistake the person can fix (a bad flag, a missing file,
 * a model that does not parse): the CLI prints `error: <message>` and the hint, exits 1, and never shows a
 * stack trace unless `--debug` is given. Anything else is a bug and is reported as such.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UserError";
    this.hint = hint;
  }
}

/** Quote a value the way error messages show it: JSON string quoting, so control characters stay visible. */
export function quote(value: unknown): string {
  return JSON.stringify(String(value));
}

/** The message of anything thrown, without the stack. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
