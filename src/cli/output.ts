/**
 * What the CLI prints. Results go to stdout as plain lines (parseable when piped). Progress goes to
 * stderr and only when stdout is a terminal: a single line redrawn in place.
 */
export class Output {
  readonly tty: boolean;
  /** Print only failing tests and summaries (the nightly's log stays short). */
  quietPasses = false;
  /** Print only failing models and summaries (the demo's backfill stays readable). */
  quietModels = false;
  private live = false;
  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
    tty: boolean = Boolean(process.stdout.isTTY) && !process.env.CI,
  ) {
    this.tty = tty;
  }

  /** A result line on stdout. */
  line(text = ""): void {
    this.clearProgress();
    this.out.write(`${text}\n`);
  }

  /** A progress note, redrawn in place on a terminal, silent otherwise. */
  progress(text: string): void {
    if (!this.tty) return;
    const width = (process.stderr as NodeJS.WriteStream).columns ?? 100;
    this.err.write(`\r\x1b[2K${text.slice(0, width - 1)}`);
    this.live = true;
  }

  clearProgress(): void {
    if (this.live) {
      this.err.write("\r\x1b[2K");
      this.live = false;
    }
  }

  /** A warning for people, on stderr. */
  warn(text: string): void {
    this.clearProgress();
    this.err.write(`warning: ${text}\n`);
  }
}

export function seconds(s: number): string {
  return s < 10 ? `${s.toFixed(2)}s` : s < 100 ? `${s.toFixed(1)}s` : `${Math.round(s)}s`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? "-" : n.toLocaleString("en-US");
}

/** A small fixed-width table for terminal views. */
export function table(rows: Record<string, unknown>[], maxWidth = 40): string[] {
  if (rows.length === 0) return ["(no rows)"];
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? "NULL" : v instanceof Date ? isoDateOrTime(v) : typeof v === "object" ? JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) : String(v);
    return s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s;
  };
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  return [fmt(cols), fmt(widths.map((w) => "-".repeat(w))), ...cells.map(fmt)];
}

/** A DATE (midnight UTC) shows as 2026-11-24, any other instant as an ISO time. */
function isoDateOrTime(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.replace(".000Z", "Z");
}
