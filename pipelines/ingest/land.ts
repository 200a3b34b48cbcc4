import fs from "node:fs";
import { BOOLEAN, DOUBLE, DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBType, type DuckDBValue } from "@duckdb/node-api";
import type { ColumnType, EntitySpec } from "../types.ts";
import { validateRecord } from "../validate.ts";
import { rowObject, splitDelimited } from "./csv.ts";
import { parseJsonLine } from "./jsonl.ts";
import { FileError, readLineBatches } from "./lines.ts";

/**
 * Land one export file: validate every line, append accepted rows and rejects to two temporary DuckDB
 * tables in DataChunks, then COPY each to a Parquet file. Nothing is written to the lake here: the caller
 * writes to a temporary partition directory and swaps it in (partition.ts).
 */
export interface LandOptions {
  /** The path recorded in `_source_file` and in rejects (relative to the data root where possible). */
  sourceName: string;
  rawOut: string;
  rejectsOut: string;
  runId: string;
  /** For delimited files: the separator (`,` for .csv, tab for .tsv, " " for whitespace-separated). */
  delimiter?: string;
  /** For delimited files: whether the first line is a header (a leading `#` on it is ignored). */
  header?: boolean;
  /** Lines naming a forgotten person (opt-out tombstones): dropped before parsing, counted as `forgotten`. */
  isForgottenLine?: (text: string) => boolean;
  onProgress?: (lines: number) => void;
}

export interface LandResult {
  linesRead: number;
  accepted: number;
  rejected: number;
  forgotten: number;
  /** Seconds from opening the file to its Parquet written. */
  seconds: number;
}

const CHUNK = 2048;

/** The bytes of an empty rejects file, once one has been written by this thread. */
let emptyRejects: Buffer | undefined;

/** How each landed type is carried from JS into the temporary table, and cast on the way to Parquet. */
function carrier(type: ColumnType): { type: DuckDBType; cast: (col: string) => string } {
  switch (type) {
    case "VARCHAR":
      return { type: VARCHAR, cast: (c) => c };
    case "BIGINT":
      return { type: DOUBLE, cast: (c) => `cast(${c} as bigint)` };
    case "DOUBLE":
      return { type: DOUBLE, cast: (c) => c };
    case "BOOLEAN":
      return { type: BOOLEAN, cast: (c) => c };
    case "TIMESTAMPTZ":
      return { type: DOUBLE, cast: (c) => `to_timestamp(${c} / 1000.0)` };
    case "VARCHAR[]":
      return { type: VARCHAR, cast: (c) => `cast(cast(${c} as json) as varchar[])` };
  }
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

class ChunkBuffer {
  private cols: DuckDBValue[][];
  private n = 0;
  constructor(
    private readonly conn: DuckDBConnection,
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
  close(): void {
    this.flush();
    this.appender.flushSync();
    this.appender.closeSync();
    void this.conn;
  }
}

export async function landFile(conn: DuckDBConnection, spec: EntitySpec<any>, file: string, opts: LandOptions): Promise<LandResult> {
  const carriers = spec.columns.map((c) => carrier(c.type));
  await conn.run(`create or replace table landing_accepted (${spec.columns.map((c, i) => `${q(c.name)} ${carriers[i]!.type.toString()}`).join(", ")}, _source_line INTEGER)`);
  await conn.run("create or replace table landing_rejects (source_line INTEGER, raw_text VARCHAR, reason VARCHAR)");
  const accepted = new ChunkBuffer(conn, await conn.createAppender("landing_accepted"), [...carriers.map((c) => c.type), INTEGER]);
  const rejects = new ChunkBuffer(conn, await conn.createAppender("landing_rejects"), [INTEGER, VARCHAR, VARCHAR]);
  const listCols = spec.columns.map((c) => c.type === "VARCHAR[]");
  const t0 = performance.now();
  const result: LandResult = { linesRead: 0, accepted: 0, rejected: 0, forgotten: 0, seconds: 0 };
  const delimited = spec.format === "csv";
  const delimiter = opts.delimiter ?? ",";
  let header: string[] | null = null;
  let expectHeader = delimited && (opts.header ?? true);
  let sawContent = false;
  try {
    for await (const batch of readLineBatches(file)) for (const { n, text } of batch) {
      if (expectHeader) {
        // the header is not a record: it is not counted in lines read
        const split = splitDelimited(text.replace(/^#/, ""), delimiter);
        if (!split.ok || split.fields.length === 0 || split.fields.every((f) => f.trim() === "")) throw new FileError(file, `line 1 is not a header: ${JSON.stringify(text.slice(0, 80))}`);
        header = split.fields.map((f) => f.trim().replace(/^#/, ""));
        expectHeader = false;
        continue;
      }
      result.linesRead++;
      if (opts.isForgottenLine?.(text)) {
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
      let record: unknown;
      let reason: string | undefined;
      if (delimited) {
        if (text.trim() === "") reason = "empty line";
        else {
          const split = splitDelimited(text, delimiter);
          if (!split.ok) reason = split.reason;
          else if (header && split.fields.length !== header.length) reason = `expected ${header.length} fields, got ${split.fields.length}`;
          else record = rowObject(split.fields, header);
        }
      } else {
        const parsed = parseJsonLine(text);
        if (parsed.ok) record = parsed.value;
        else reason = parsed.reason;
      }
      if (reason === undefined) {
        const v = validateRecord(spec, record);
        if (v.ok) {
          const row = v.row as DuckDBValue[];
          for (let i = 0; i < row.length; i++) if (listCols[i] && row[i] !== null) row[i] = JSON.stringify(row[i]);
          row.push(n);
          accepted.push(row);
          result.accepted++;
        } else reason = v.reason;
      }
      if (reason !== undefined) {
        rejects.push([n, text, reason]);
        result.rejected++;
      }
      if ((n & 0x3fff) === 0) opts.onProgress?.(n);
    }
  } finally {
    accepted.close();
    rejects.close();
  }
  // Rows were appended in line order and DuckDB keeps insertion order (preserve_insertion_order), so the
  // files come out in line order without a sort.
  const select = spec.columns.map((c, i) => `${carriers[i]!.cast(q(c.name))} as ${q(c.name)}`).join(", ");
  await conn.run(
    `copy (select ${select}, $1::varchar as _source_file, cast(_source_line as bigint) as _source_line from landing_accepted) to $2 (format parquet, compression zstd)`,
    [opts.sourceName, opts.rawOut],
  );
  if (result.rejected === 0 && emptyRejects) {
    // the usual case: no rejects. An empty Parquet file has no per-file content, so reuse its bytes
    // rather than pay a COPY (about a quarter of a small file's fixed cost).
    fs.writeFileSync(opts.rejectsOut, emptyRejects);
  } else {
    await conn.run(
      `copy (select $1::varchar as source_file, cast(source_line as bigint) as source_line, raw_text, reason, $2::varchar as run_id from landing_rejects) to $3 (format parquet, compression zstd)`,
      [opts.sourceName, opts.runId, opts.rejectsOut],
    );
    if (result.rejected === 0) emptyRejects = fs.readFileSync(opts.rejectsOut);
  }
  await conn.run("drop table landing_accepted; drop table landing_rejects");
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
