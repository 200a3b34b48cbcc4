import fs from "node:fs";
import path from "node:path";
import { DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBType, type DuckDBValue } from "@duckdb/node-api";
import type { ColumnType, EntitySpec } from "../types.ts";
import { validateRecord, type Validated } from "../validate.ts";
import { rowObject, splitDelimited } from "./csv.ts";
import { validateJsonLine } from "./jsonl.ts";
import { FileError, readLineBatches } from "./lines.ts";

/**
 * Land a batch of export files of one entity (one file per date): validate every line, hand accepted rows
 * and rejects to two temporary DuckDB tables, then write each file's rows to its own Parquet file (one COPY
 * partitioned by date for the whole batch). Nothing is written to the lake here: the caller gets one
 * `dt=<date>/part-0.parquet` per file under `rawDir` and `rejectsDir` (staging) and swaps them in (partition.ts).
 *
 * Why batches and JSON texts: a table and an appender cost a millisecond or more each whatever their
 * size, and the appender costs a native call per string value. One table and appender per batch (not per file)
 * and one JSON text per accepted row (DuckDB splits it back with one `from_json`) cut ingest's CPU
 * time by about a quarter on the tier-s world (docs/performance.md, "Ingest: batches and one JSON text a row").
 * Since the twentieth session one JSON text holds GROUP rows (an array of rows, unnested in the COPY): the native
 * call, the vector's string and the text's call overhead are paid once per GROUP rows (docs/performance.md,
 * "Ingest: one JSON text per 16 rows").
 */
export interface FileOptions {
  /** The path recorded in `_source_file` and in rejects (relative to the data root where possible). */
  sourceName: string;
  /** The date whose partition this file fills (YYYY-MM-DD; one file per date in a batch). */
  date: string;
  /** For delimited files: the separator (`,` for .csv, tab for .tsv, " " for whitespace-separated). */
  delimiter?: string;
  /** For delimited files: whether the first line is a header (a leading `#` on it is ignored). */
  header?: boolean;
}

export interface BatchOptions {
  /** Where each file's `dt=<date>/part-0.parquet` goes (the staged raw partitions of this entity). */
  rawDir: string;
  /** Likewise for rejects. */
  rejectsDir: string;
  runId: string;
  /** Lines naming a forgotten person (opt-out tombstones): dropped before parsing, counted as `forgotten`. */
  isForgottenLine?: (text: string) => boolean;
  /** Lines read so far in the batch's i-th file. */
  onProgress?: (index: number, lines: number) => void;
}

export interface LandResult {
  linesRead: number;
  accepted: number;
  rejected: number;
  forgotten: number;
  /** Seconds from opening the file to its Parquet written (a batch's COPY is shared by its files by lines). */
  seconds: number;
}

export type FileOutcome = { ok: true; result: LandResult } | { ok: false; file: string; detail: string };

const CHUNK = 2048;

/**
 * Accepted rows per JSON text. On one tier m day (1.8M records), alternated: one row a text 8.96–11.20 s, 16 rows
 * 7.91–9.16 s, 32 rows 7.92–9.74 s. Peak RSS grows with it (DuckDB unnests a whole vector of 2,048 texts at once):
 * 0.63–0.70 GB with one row, 0.72–0.86 GB with 16, 0.83–1.03 GB with 32 (docs/performance.md, "Ingest: one JSON
 * text per 16 rows").
 */
const GROUP = 16;

/**
 * A group also ends once its lines reach this many characters. A line may hold 10 MB (MAX_LINE_BYTES), and a CSV cell of
 * control characters grows six times in JSON ("\u0001"): sixteen such rows would pass V8's longest string (2^29 - 24
 * characters) and fail with "Invalid string length". One such row alone stays under it, as before. (Not tested: 17 rows
 * of 6 MB such cells already exhaust DuckDB's 1.4 GB in the tests' engine, with one row a text as with sixteen.)
 */
const GROUP_CHARS = 1 << 20;

/** How each landed type is read back from its element of the row's JSON text (`from_json(j, '[["VARCHAR"]]')` gives
 * each element as VARCHAR: a string's value, a number's or a list's JSON text, NULL for null). */
function cast(type: ColumnType, v: string): string {
  switch (type) {
    case "VARCHAR":
      return v;
    case "BIGINT":
      return `cast(${v} as bigint)`;
    case "DOUBLE":
      return `cast(${v} as double)`;
    case "BOOLEAN":
      return `cast(${v} as boolean)`;
    case "TIMESTAMPTZ":
      return `to_timestamp(cast(${v} as double) / 1000.0)`;
    case "VARCHAR[]":
      return `from_json(${v}, '["VARCHAR"]')`;
  }
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Rows for one table, handed to DuckDB 2048 at a time as a DataChunk. */
class ChunkBuffer {
  private cols: DuckDBValue[][];
  private n = 0;
  constructor(
    private readonly appender: Awaited<ReturnType<DuckDBConnection["createAppender"]>>,
    private readonly types: DuckDBType[],
  ) {
    this.cols = types.map(() => []);
  }
  push(values: DuckDBValue[]): void {
    for (let i = 0; i < values.length; i++) this.cols[i]!.push(values[i]!);
    if (++this.n === CHUNK) this.flush();
  }
  flush(): void {
    if (this.n === 0) return;
    const chunk = DuckDBDataChunk.create(this.types, this.n);
    chunk.setColumns(this.cols);
    this.appender.appendDataChunk(chunk);
    this.cols = this.types.map(() => []);
    this.n = 0;
  }
  /** Everything pushed is in the table. */
  sync(): void {
    this.flush();
    this.appender.flushSync();
  }
  close(): void {
    this.sync();
    this.appender.closeSync();
  }
}

/** A JSON text of rows (an array of arrays), with lone UTF-16 surrogates (which JSON.stringify escapes, and no UTF-8 can
 * hold) replaced. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
function rowsText(rows: unknown[][]): string {
  const text = JSON.stringify(rows);
  if (!text.includes("\\ud")) return text;
  return JSON.stringify(JSON.parse(text, (_k, v: unknown) => (typeof v === "string" ? v.replace(LONE_SURROGATE, "\ufffd") : v)));
}

/** Validate one file's lines into the batch's buffers; throws FileError when the file cannot be read. */
async function readFile(
  spec: EntitySpec<any>,
  file: string,
  f: number,
  opts: FileOptions,
  batch: BatchOptions,
  accepted: ChunkBuffer,
  rejects: ChunkBuffer,
): Promise<LandResult> {
  const t0 = performance.now();
  const result: LandResult = { linesRead: 0, accepted: 0, rejected: 0, forgotten: 0, seconds: 0 };
  const delimited = spec.format === "csv";
  const delimiter = opts.delimiter ?? ",";
  let header: string[] | null = null;
  let expectHeader = delimited && (opts.header ?? true);
  let sawContent = false;
  // accepted rows not yet handed over: GROUP of them make one JSON text
  let group: unknown[][] = [];
  let groupChars = 0;
  for await (const lines of readLineBatches(file)) {
    for (const { n, text } of lines) {
      if (expectHeader) {
        // the header is not a record: it is not counted in lines read
        const split = splitDelimited(text.replace(/^#/, ""), delimiter);
        if (!split.ok || split.fields.length === 0 || split.fields.every((x) => x.trim() === "")) throw new FileError(file, `line 1 is not a header: ${JSON.stringify(text.slice(0, 80))}`);
        header = split.fields.map((x) => x.trim().replace(/^#/, ""));
        expectHeader = false;
        continue;
      }
      result.linesRead++;
      if (batch.isForgottenLine?.(text)) {
        result.forgotten++;
        continue;
      }
      if (!sawContent && text.trim() !== "") {
        sawContent = true;
        if (!delimited && !text.trimStart().startsWith("{")) {
          throw new FileError(file, `not JSON Lines: line ${n} starts with ${JSON.stringify(text.trimStart().slice(0, 20))}`);
        }
        if (text.includes("\0")) throw new FileError(file, `binary content on line ${n}`);
      }
      let v: Validated;
      if (!delimited) v = validateJsonLine(spec, text);
      else if (text.trim() === "") v = { ok: false, reason: "empty line" };
      else {
        const split = splitDelimited(text, delimiter);
        if (!split.ok) v = split;
        else if (header && split.fields.length !== header.length) v = { ok: false, reason: `expected ${header.length} fields, got ${split.fields.length}` };
        else v = validateRecord(spec, rowObject(split.fields, header));
      }
      if (v.ok) {
        const row: unknown[] = v.row;
        row.push(n);
        group.push(row);
        groupChars += text.length;
        if (group.length === GROUP || groupChars >= GROUP_CHARS) {
          accepted.push([f, rowsText(group)]);
          group = [];
          groupChars = 0;
        }
        result.accepted++;
      } else {
        // a copy: a line of an ASCII read is a slice of the whole 1 MB read (lines.ts), which a slice keeps alive
        // until the rejects are handed over, up to 2,048 of them
        rejects.push([f, n, Buffer.from(text, "utf8").toString("utf8"), v.reason]);
        result.rejected++;
      }
    }
    batch.onProgress?.(f, result.linesRead);
  }
  if (group.length > 0) accepted.push([f, rowsText(group)]);
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

/**
 * Land `files` (one per date, all of `spec`) on one connection. Each file's outcome is its own: an unreadable
 * file leaves nothing of itself behind and does not stop the others. Errors other than an unreadable file
 * (DuckDB failing, a full disk) throw: the whole batch has failed.
 */
export async function landBatch(conn: DuckDBConnection, spec: EntitySpec<any>, files: { file: string; options: FileOptions }[], opts: BatchOptions): Promise<FileOutcome[]> {
  await conn.run("create or replace table landing_accepted (f INTEGER, j VARCHAR)");
  await conn.run("create or replace table landing_rejects (f INTEGER, source_line INTEGER, raw_text VARCHAR, reason VARCHAR)");
  const accepted = new ChunkBuffer(await conn.createAppender("landing_accepted"), [INTEGER, VARCHAR]);
  const rejects = new ChunkBuffer(await conn.createAppender("landing_rejects"), [INTEGER, INTEGER, VARCHAR, VARCHAR]);
  const outcomes: FileOutcome[] = [];
  try {
    for (const [f, { file, options }] of files.entries()) {
      try {
        outcomes.push({ ok: true, result: await readFile(spec, file, f, options, opts, accepted, rejects) });
        // let the thread's other work through between files (a batch can be landed on the main thread, whose
        // event loop hands batches to the workers)
        await new Promise((resolve) => setImmediate(resolve));
      } catch (err) {
        if (!(err instanceof FileError)) throw err;
        outcomes.push({ ok: false, file: err.file, detail: err.detail });
        // what this file handed over before it failed goes: nothing of an unreadable file lands
        accepted.sync();
        rejects.sync();
        await conn.run("delete from landing_accepted where f = $1", [f]);
        await conn.run("delete from landing_rejects where f = $1", [f]);
      }
    }
  } finally {
    accepted.close();
    rejects.close();
  }
  const t0 = performance.now();
  // a JSON text holds up to GROUP rows, each the columns' values then the line number; from_json walks it once
  // (json_extract_string with one path per column walks the array again for each: 1.4–2.3× the time on tweets), and
  // unnest gives one row each
  const select = spec.columns.map((c, i) => `${cast(c.type, `v[${i + 1}]`)} as ${q(c.name)}`).join(", ");
  const landed = outcomes.flatMap((o, f) => (o.ok ? [{ f, r: o.result }] : []));
  if (landed.length > 0) {
    fs.mkdirSync(opts.rawDir, { recursive: true });
    fs.mkdirSync(opts.rejectsDir, { recursive: true });
  }
  // One partitioned COPY per batch writes every file's rows into its date's directory (dt=<date>/part-0.parquet):
  // a COPY costs a few milliseconds whatever its size, about half of a small file's landing when each file had its
  // own. Within a date the rows are not in line order (DuckDB's partitioned writer moves some); `_source_line` has
  // each row's line, and staging orders by it.
  await conn.run("create or replace table landing_files (f INTEGER, dt VARCHAR, source_file VARCHAR)");
  const filesAppender = await conn.createAppender("landing_files");
  for (const { f } of landed) {
    filesAppender.appendInteger(f);
    filesAppender.appendVarchar(files[f]!.options.date);
    filesAppender.appendVarchar(files[f]!.options.sourceName);
    filesAppender.endRow();
  }
  filesAppender.closeSync();
  // every date of the batch open at once, so that each gets one file
  await conn.run(`set partitioned_write_max_open_files = ${Math.max(100, landed.length)}`);
  const partitioned = "format parquet, compression zstd, partition_by (dt), filename_pattern 'part-{i}', overwrite_or_ignore";
  // each query's rows, with the date they go to (dt); the rejects' $2 is the run id
  const rawRows = `select ${select}, m.source_file as _source_file, cast(v[${spec.columns.length + 1}] as bigint) as _source_line, m.dt
    from (select f, unnest(from_json(j, '[["VARCHAR"]]')) as v from landing_accepted) join landing_files as m using (f)`;
  const rejectRows = `select m.source_file, cast(source_line as bigint) as source_line, raw_text, reason, $2::varchar as run_id, m.dt
    from landing_rejects join landing_files as m using (f)`;
  if (landed.some(({ r }) => r.accepted > 0)) await conn.run(`copy (${rawRows}) to $1 (${partitioned})`, [opts.rawDir]);
  if (landed.some(({ r }) => r.rejected > 0)) await conn.run(`copy (${rejectRows}) to $1 (${partitioned})`, [opts.rejectsDir, opts.runId]);
  // A date with no rows still gets its file (an empty one), so that landing it replaces what was there. An empty
  // Parquet file holds only its schema: it is written once per schema and thread, then its bytes are reused.
  const none = (rows: string) => `select * exclude (dt) from (${rows}) where false`;
  for (const { f, r } of landed) {
    const { date } = files[f]!.options;
    if (r.accepted === 0) await writeEmpty(conn, select, none(rawRows), path.join(opts.rawDir, `dt=${date}`));
    if (r.rejected === 0) await writeEmpty(conn, "rejects", none(rejectRows), path.join(opts.rejectsDir, `dt=${date}`), [opts.runId]);
  }
  await conn.run("drop table landing_accepted; drop table landing_rejects; drop table landing_files");
  // the batch's writing time, shared between its files by the lines each read
  const copyS = (performance.now() - t0) / 1000;
  const lines = landed.reduce((s, { r }) => s + r.linesRead, 0);
  for (const { r } of landed) r.seconds += lines === 0 ? 0 : (copyS * r.linesRead) / lines;
  return outcomes;
}

/** The bytes of the empty Parquet files this thread has written, by their schema (a raw select list, or "rejects"). */
const emptyFiles = new Map<string, Buffer>();

/** Make `dir` and write into it an empty Parquet file of `query`'s columns (the bytes of an earlier one when known);
 * `params` bind `$2`… of the query. */
async function writeEmpty(conn: DuckDBConnection, key: string, query: string, dir: string, params: string[] = []): Promise<void> {
  fs.mkdirSync(dir);
  const out = path.join(dir, "part-0.parquet");
  const bytes = emptyFiles.get(key);
  if (bytes) return fs.writeFileSync(out, bytes);
  await conn.run(`copy (${query}) to $1 (format parquet, compression zstd)`, [out, ...params]);
  emptyFiles.set(key, fs.readFileSync(out));
}
