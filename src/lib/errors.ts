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

/**
 * A hint for an error that comes from the machine, not from Clout or the person's input: a full disk, DuckDB out of
 * memory. These are not bugs; the hint says what to do. Undefined for anything else.
 */
export function machineHint(err: unknown): string | undefined {
  const messages: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) messages.push(messageOf(e));
  const text = messages.join("\n");
  if (/No space left on device|ENOSPC/i.test(text)) {
    return "the disk is full: free some space (or use --data-dir on a larger disk) and run again; a failed run keeps the last good results and publish";
  }
  if (/Out of Memory Error|could not allocate/i.test(text)) {
    return "DuckDB ran out of memory: raise --memory-limit (or CLOUT_MEMORY_LIMIT) if the machine has more, or lower --threads; a failed run keeps the last good results and publish";
  }
  return undefined;
}
