import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { messageOf } from "../../src/lib/errors.ts";
import { resolveInside, type DataLayout } from "../../src/lib/paths.ts";
import { Tombstones } from "../../src/lib/forget.ts";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import type { EntitySpec, NetworkSpec } from "../types.ts";
import { landFile } from "./land.ts";
import { FileError } from "./lines.ts";
import { partitionDir, recover, stagingDir, swapIn } from "./partition.ts";

/**
 * `clout ingest`: for each date and source, land every export file of that source-date as typed Parquet
 * (and its rejects), then swap the new partitions in. A source-date is all or nothing: an unreadable file
 * fails the whole source-date with one error naming the file and leaves what was landed before untouched;
 * the other sources still land. A file whose reject rate exceeds the threshold fails its source-date too
 * (its rejects are still landed, so they can be inspected).
 */
export interface FileReport {
  source: string;
  entity: string;
  date: string;
  /** Path of the export file, relative to the data root when inside it. */
  file: string | null;
  status: "landed" | "rejected-too-many" | "unreadable" | "missing" | "not-landed";
  lines_read: number;
  accepted: number;
  rejected: number;
  forgotten: number;
  bytes: number;
  duration_s: number;
  message: string | null;
}

export interface SourceDateReport {
  source: string;
  date: string;
  status: "landed" | "failed" | "no-exports";
  message: string | null;
  files: FileReport[];
}

export interface IngestOptions {
  layout: DataLayout;
  runId: string;
  dates: string[];
  sources: NetworkSpec[];
  /** Reject rate above which a file fails its source-date (default 0.05). */
  rejectThreshold?: number;
  /** Delimited-file settings per source (the generic adapter's mapping); default: `,` for .csv, tab for .tsv, with header. */
  delimitedOptions?: (source: string, file: string) => { delimiter: string; header: boolean } | undefined;
  /** Use this file for a source's entity instead of looking under exports/ (the generic adapter's --file). */
  fileOverride?: (source: string, entity: string, date: string) => string | undefined;
  /** Opt-out: lines naming a forgotten person are dropped at ingest (see src/lib/forget.ts). */
  isForgottenLine?: (text: string) => boolean;
  memoryLimit?: string;
  onProgress?: (text: string) => void;
  onSourceDone?: (report: SourceDateReport) => void;
}

const EXTENSIONS = [".jsonl", ".jsonl.gz", ".json.gz", ".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".txt.gz"];

/** The export file of one entity for one date, if delivered. */
export function findExport(layout: DataLayout, source: string, date: string, entity: string): string | undefined {
  const dir = resolveInside(layout.exports, source, date);
  for (const ext of EXTENSIONS) {
    const f = path.join(dir, `${entity}${ext}`);
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

function relativeName(layout: DataLayout, file: string): string {
  const rel = path.relative(layout.root, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? path.resolve(file) : rel;
}

function defaultDelimited(file: string): { delimiter: string; header: boolean } {
  return { delimiter: /\.tsv(\.gz)?$/.test(file) ? "\t" : ",", header: true };
}

export async function ingest(opts: IngestOptions): Promise<SourceDateReport[]> {
  const { layout, runId } = opts;
  const threshold = opts.rejectThreshold ?? 0.05;
  for (const date of opts.dates) for (const s of opts.sources) resolveInside(layout.exports, s.name, date);
  recover(layout.lake, runId);
  if (!opts.isForgottenLine) {
    const tombstones = Tombstones.load(layout.root);
    if (tombstones) opts = { ...opts, isForgottenLine: (text) => tombstones.lineMatches(text) };
  }
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    threads: "2",
    memory_limit: opts.memoryLimit ?? "2GB",
  });
  const conn = await instance.connect();
  await conn.run("set TimeZone = 'UTC'");
  const reports: SourceDateReport[] = [];
  try {
    for (const date of opts.dates) {
      for (const source of opts.sources) {
        const report = await ingestSourceDate(conn, source, date, opts, threshold);
        reports.push(report);
        opts.onSourceDone?.(report);
      }
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
    fs.rmSync(path.join(layout.lake, ".staging", runId), { recursive: true, force: true });
  }
  return reports;
}

async function ingestSourceDate(
  conn: Awaited<ReturnType<DuckDBInstance["connect"]>>,
  source: NetworkSpec,
  date: string,
  opts: IngestOptions,
  threshold: number,
): Promise<SourceDateReport> {
  const { layout, runId } = opts;
  const name = source.name;
  const files: FileReport[] = [];
  const staged: { spec: EntitySpec<any>; raw: string; rejects: string }[] = [];
  const exportDir = resolveInside(layout.exports, name, date);
  const overrides = source.entities.map((e) => opts.fileOverride?.(name, e.entity, date));
  if (!fs.existsSync(exportDir) && overrides.every((o) => o === undefined)) {
    return { source: name, date, status: "no-exports", message: null, files };
  }
  let failure: string | null = null;
  for (const [i, spec] of source.entities.entries()) {
    const file = overrides[i] ?? findExport(layout, name, date, spec.entity);
    const base = { source: name, entity: spec.entity, date, lines_read: 0, accepted: 0, rejected: 0, forgotten: 0, bytes: 0, duration_s: 0 };
    if (!file) {
      files.push({ ...base, file: null, status: "missing", message: `no ${spec.entity} file delivered; the landed partition (if any) is kept` });
      continue;
    }
    if (failure) {
      files.push({ ...base, file: relativeName(layout, file), status: "not-landed", message: failure });
      continue;
    }
    const t0 = Date.now();
    const raw = stagingDir(layout.lake, runId, "raw", name, spec.entity, date);
    const rejects = stagingDir(layout.lake, runId, "rejects", name, spec.entity, date);
    fs.mkdirSync(raw, { recursive: true });
    fs.mkdirSync(rejects, { recursive: true });
    const sourceName = relativeName(layout, file);
    try {
      const delimited = spec.format === "csv" ? (opts.delimitedOptions?.(name, file) ?? defaultDelimited(file)) : undefined;
      opts.onProgress?.(`${name} ${date} ${spec.entity}`);
      const r = await landFile(conn, spec, file, {
        sourceName,
        rawOut: path.join(raw, "part-0.parquet"),
        rejectsOut: path.join(rejects, "part-0.parquet"),
        runId,
        ...(delimited ?? {}),
        ...(opts.isForgottenLine ? { isForgottenLine: opts.isForgottenLine } : {}),
        onProgress: (n) => opts.onProgress?.(`${name} ${date} ${spec.entity}: ${n.toLocaleString("en-US")} lines`),
      });
      const rate = r.linesRead === 0 ? 0 : r.rejected / r.linesRead;
      const tooMany = rate > threshold;
      files.push({
        ...base,
        file: sourceName,
        status: tooMany ? "rejected-too-many" : "landed",
        lines_read: r.linesRead,
        accepted: r.accepted,
        rejected: r.rejected,
        forgotten: r.forgotten,
        bytes: fs.statSync(file).size,
        duration_s: (Date.now() - t0) / 1000,
        message: tooMany ? `${r.rejected} of ${r.linesRead} lines rejected (${(rate * 100).toFixed(1)}% > ${(threshold * 100).toFixed(1)}%)` : null,
      });
      staged.push({ spec, raw, rejects });
      if (tooMany) failure = `${sourceName}: reject rate ${(rate * 100).toFixed(1)}% exceeds ${(threshold * 100).toFixed(1)}%`;
    } catch (err) {
      if (!(err instanceof FileError)) throw err;
      failure = messageOf(err);
      files.push({ ...base, file: sourceName, status: "unreadable", bytes: fs.statSync(file).size, duration_s: (Date.now() - t0) / 1000, message: messageOf(err) });
    }
  }
  // All or nothing for the landed data of this source-date; rejects land in any case so they can be read.
  for (const s of staged) {
    swapIn(s.rejects, partitionDir(layout.lake, "rejects", name, s.spec.entity, date), runId);
    if (!failure) swapIn(s.raw, partitionDir(layout.lake, "raw", name, s.spec.entity, date), runId);
  }
  if (failure) {
    for (const f of files) if (f.status === "landed") f.status = "not-landed";
  }
  return { source: name, date, status: failure ? "failed" : "landed", message: failure, files };
}

/** Record file counts in `meta.ingest_files` (one row per file per run). */
export async function recordIngest(wh: Warehouse, runId: string, reports: SourceDateReport[]): Promise<void> {
  for (const r of reports) {
    for (const f of r.files) {
      await wh.run(
        `insert into meta.ingest_files (run_id, source, entity, dt, file, status, lines_read, accepted, rejected, forgotten, bytes, duration_s, message, recorded_at)
         values ($1, $2, $3, $4::date, $5, $6, $7, $8, $9, $10, $11, $12, $13, now())`,
        [runId, f.source, f.entity, f.date, f.file, f.status, f.lines_read, f.accepted, f.rejected, f.forgotten, f.bytes, f.duration_s, f.message],
      );
    }
  }
}
