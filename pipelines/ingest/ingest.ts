import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { messageOf } from "../../src/lib/errors.ts";
import { resolveInside, type DataLayout } from "../../src/lib/paths.ts";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import type { EntitySpec, NetworkSpec } from "../types.ts";
import type { FileOptions, LandResult } from "./land.ts";
import { FileError } from "./lines.ts";
import { partitionDir, recover, stagingDir, swapIn } from "./partition.ts";
import { createLander, specRef, type BatchFiles } from "./pool.ts";

/**
 * `clout ingest`: for each date and source, land every export file of that source-date as typed Parquet
 * (and its rejects), then swap the new partitions in. Files are landed in batches (one entity's files over
 * several dates, up to BATCH_BYTES; land.ts) on worker threads, but each file's outcome stays its own.
 * A source-date is all or nothing: an unreadable file
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
  /** DuckDB memory limit for all of ingest together (split between the workers). */
  memoryLimit?: string;
  /** Bytes of export files per landing batch (default BATCH_BYTES; tests make it small). */
  batchBytes?: number;
  /** Batches landed at once (default: the machine's cores): this thread and a worker thread for each of the others; 1 lands on this thread only. */
  parallelism?: number;
  /** With false, this thread lands only what cannot cross to a worker (tests: every batch goes through a worker). */
  landHere?: boolean;
  /** With false, workers start through tsx's loader (worker.js) instead of from a bundle of their modules (tests). */
  bundleWorker?: boolean;
  /** Exports smaller than this in all land on this thread whatever `parallelism` says (default WORKER_MIN_BYTES). */
  workerMinBytes?: number;
  onProgress?: (text: string) => void;
  onSourceDone?: (report: SourceDateReport) => void;
}

/** Below this many bytes of exports, ingest lands on its own thread: starting workers would cost more (16 MiB). */
export const WORKER_MIN_BYTES = 16 << 20;

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

/** Lines read so far over all files, for the progress line: files done, records, records/s. */
class Progress {
  private readonly lines = new Map<string, number>();
  private total = 0;
  private done = 0;
  private last = 0;
  private readonly t0 = performance.now();
  constructor(
    private readonly files: number,
    private readonly say: ((text: string) => void) | undefined,
  ) {}
  update(key: string, lines: number): void {
    this.total += lines - (this.lines.get(key) ?? 0);
    this.lines.set(key, lines);
    this.show(false);
  }
  finished(key: string, lines: number): void {
    this.done++;
    this.update(key, lines);
    this.show(true);
  }
  private show(force: boolean): void {
    const now = performance.now();
    if (!this.say || (!force && now - this.last < 200)) return;
    this.last = now;
    const rate = this.total / Math.max(0.001, (now - this.t0) / 1000);
    this.say(`ingest ${this.done}/${this.files} files, ${this.total.toLocaleString("en-US")} records, ${Math.round(rate).toLocaleString("en-US")} records/s`);
  }
}

/**
 * Files of one entity are landed in batches of up to this many bytes (one COPY each, partitioned by date):
 * a COPY costs a few milliseconds whatever its size. A bigger file is a batch of its own.
 */
export const BATCH_BYTES = 64 * 2 ** 20;

interface FilePlan {
  spec: EntitySpec<any>;
  file: string | undefined;
  bytes: number;
  raw: string;
  rejects: string;
  landing: Promise<LandResult> | undefined;
  /** When the file was handed to the lander (an unreadable file's time is counted from here). */
  t0: number;
  /** Seconds the landing itself took (not the wait for a free worker). */
  seconds: number;
}

interface Batch<T> {
  spec: EntitySpec<any>;
  source: NetworkSpec;
  items: T[];
  bytes: number;
}

/** The files of each source's entity, in date order, cut into batches of up to `limit` bytes (a bigger file alone). */
function batchesOf<T extends { plan: { source: NetworkSpec }; f: FilePlan }>(items: T[], limit: number): Batch<T>[] {
  const open = new Map<EntitySpec<any>, Map<NetworkSpec, Batch<T>>>();
  const batches: Batch<T>[] = [];
  for (const item of items) {
    const { spec, bytes } = item.f;
    const { source } = item.plan;
    const bySource = open.get(spec) ?? new Map<NetworkSpec, Batch<T>>();
    open.set(spec, bySource);
    let current = bySource.get(source);
    if (!current || current.bytes + bytes > limit) {
      current = { spec, source, items: [], bytes: 0 };
      bySource.set(source, current);
      batches.push(current);
    }
    current.items.push(item);
    current.bytes += bytes;
  }
  return batches;
}

export async function ingest(opts: IngestOptions): Promise<SourceDateReport[]> {
  const { layout, runId } = opts;
  const threshold = opts.rejectThreshold ?? 0.05;
  for (const date of opts.dates) for (const s of opts.sources) resolveInside(layout.exports, s.name, date);
  recover(layout.lake, runId);
  // Plan every source-date first (which files exist), so all files can be landed at once.
  const plans: { source: NetworkSpec; date: string; files: FilePlan[] | undefined }[] = [];
  for (const date of opts.dates) {
    for (const source of opts.sources) {
      const exportDir = resolveInside(layout.exports, source.name, date);
      const overrides = source.entities.map((e) => opts.fileOverride?.(source.name, e.entity, date));
      if (!fs.existsSync(exportDir) && overrides.every((o) => o === undefined)) {
        plans.push({ source, date, files: undefined });
        continue;
      }
      const files = source.entities.map((spec, i): FilePlan => ({
        spec,
        file: overrides[i] ?? findExport(layout, source.name, date, spec.entity),
        bytes: 0,
        raw: stagingDir(layout.lake, runId, "raw", source.name, spec.entity, date),
        rejects: stagingDir(layout.lake, runId, "rejects", source.name, spec.entity, date),
        landing: undefined,
        t0: 0,
        seconds: 0,
      }));
      plans.push({ source, date, files });
    }
  }
  const all = plans.flatMap((p) => (p.files ?? []).filter((f) => f.file !== undefined).map((f) => ({ plan: p, f })));
  for (const { f } of all) f.bytes = fs.statSync(f.file!).size;
  const batches = batchesOf(all, opts.batchBytes ?? BATCH_BYTES);
  // the biggest first, so that no worker is left with a long one at the end
  batches.sort((a, b) => b.bytes - a.bytes);
  const progress = new Progress(all.length, opts.onProgress);
  const memoryLimit = opts.memoryLimit ?? "2GB";
  const totalBytes = all.reduce((sum, { f }) => sum + f.bytes, 0);
  // Worker threads cost about a second to start (each loads the pipelines and opens its DuckDB): a small night lands
  // sooner on this thread (a 500-person day: 1.7 s against 2.7 s; 7 MB: 2.2 s against 2.9 s; 29 MB: 4.1 s against 3.9 s).
  const small = totalBytes < (opts.workerMinBytes ?? WORKER_MIN_BYTES);
  const parallelism = small ? 1 : Math.max(1, Math.min(opts.parallelism ?? os.availableParallelism(), batches.length));
  const staging = path.join(layout.lake, ".staging", runId);
  const lander = createLander({ dataRoot: layout.root, tempDir: path.join(staging, "duckdb-tmp") }, memoryLimit, parallelism, opts.landHere ?? true, opts.bundleWorker ?? true);
  const reports: SourceDateReport[] = [];
  try {
    for (const batch of batches) {
      const keyOf = (item: (typeof all)[number]) => `${item.plan.source.name}/${item.f.spec.entity}/${item.plan.date}`;
      const files: BatchFiles = batch.items.map(({ plan, f }) => {
        const file = f.file!;
        const delimited = f.spec.format === "csv" ? (opts.delimitedOptions?.(plan.source.name, file) ?? defaultDelimited(file)) : undefined;
        const options: FileOptions = { sourceName: relativeName(layout, file), date: plan.date, ...(delimited ?? {}) };
        return { file, options };
      });
      const t0 = performance.now();
      const landing = lander.land(
        batch.spec,
        specRef(batch.source, batch.spec),
        files,
        { rawDir: path.dirname(batch.items[0]!.f.raw), rejectsDir: path.dirname(batch.items[0]!.f.rejects), runId },
        (i, n) => progress.update(keyOf(batch.items[i]!), n),
      );
      for (const [i, item] of batch.items.entries()) {
        item.f.t0 = t0;
        item.f.landing = landing.then((outcomes) => {
          const o = outcomes[i]!;
          if (!o.ok) throw new FileError(o.file, o.detail);
          item.f.seconds = o.result.seconds;
          progress.finished(keyOf(item), o.result.linesRead);
          return o.result;
        });
        // settled later, in order; keep an early rejection from being reported as unhandled
        item.f.landing.catch(() => undefined);
      }
    }
    // Settle source-dates in order, each as soon as its own files are done.
    for (const plan of plans) {
      const report = plan.files ? await settleSourceDate(plan.source, plan.date, plan.files, opts, threshold) : { source: plan.source.name, date: plan.date, status: "no-exports" as const, message: null, files: [] };
      reports.push(report);
      opts.onSourceDone?.(report);
    }
  } finally {
    // every landing has settled before the staging area goes
    await Promise.allSettled(all.map(({ f }) => f.landing));
    await lander.close();
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return reports;
}

/**
 * One source-date's outcome, once its files are landed aside: all or nothing for the landed data (an
 * unreadable file or too many rejects anywhere fails the whole source-date); rejects land in any case.
 */
async function settleSourceDate(source: NetworkSpec, date: string, plans: FilePlan[], opts: IngestOptions, threshold: number): Promise<SourceDateReport> {
  const { layout, runId } = opts;
  const name = source.name;
  const files: FileReport[] = [];
  const staged: FilePlan[] = [];
  let failure: string | null = null;
  for (const f of plans) {
    const base = { source: name, entity: f.spec.entity, date, lines_read: 0, accepted: 0, rejected: 0, forgotten: 0, bytes: 0, duration_s: 0 };
    if (!f.file || !f.landing) {
      files.push({ ...base, file: null, status: "missing", message: `no ${f.spec.entity} file delivered; the landed partition (if any) is kept` });
      continue;
    }
    const sourceName = relativeName(layout, f.file);
    const bytes = f.bytes;
    try {
      const r = await f.landing;
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
        bytes,
        duration_s: f.seconds,
        message: tooMany ? `${r.rejected} of ${r.linesRead} lines rejected (${(rate * 100).toFixed(1)}% > ${(threshold * 100).toFixed(1)}%)` : null,
      });
      staged.push(f);
      if (tooMany) failure ??= `${sourceName}: reject rate ${(rate * 100).toFixed(1)}% exceeds ${(threshold * 100).toFixed(1)}%`;
    } catch (err) {
      if (!(err instanceof FileError)) throw err;
      failure ??= messageOf(err);
      files.push({ ...base, file: sourceName, status: "unreadable", bytes, duration_s: (performance.now() - f.t0) / 1000, message: messageOf(err) });
    }
  }
  // All or nothing for the landed data of this source-date; rejects land in any case so they can be read.
  for (const s of staged) {
    swapIn(s.rejects, partitionDir(layout.lake, "rejects", name, s.spec.entity, date), runId);
    if (!failure) swapIn(s.raw, partitionDir(layout.lake, "raw", name, s.spec.entity, date), runId);
  }
  if (failure) {
    for (const f of files) {
      if (f.status === "landed") {
        f.status = "not-landed";
        f.message = failure;
      }
    }
  }
  return { source: name, date, status: failure ? "failed" : "landed", message: failure, files };
}

/** Record file counts in `meta.ingest_files` (one row per file per run), a hundred rows a statement. */
export async function recordIngest(wh: Warehouse, runId: string, reports: SourceDateReport[]): Promise<void> {
  const rows = reports.flatMap((r) => r.files);
  for (let at = 0; at < rows.length; at += 100) {
    const batch = rows.slice(at, at + 100);
    const params: (string | number | null)[] = [];
    const values = batch.map((f) => {
      const p = params.length;
      params.push(runId, f.source, f.entity, f.date, f.file, f.status, f.lines_read, f.accepted, f.rejected, f.forgotten, f.bytes, f.duration_s, f.message);
      const n = (i: number) => `$${p + i}`;
      return `(${n(1)}, ${n(2)}, ${n(3)}, ${n(4)}::date, ${n(5)}, ${n(6)}, ${n(7)}, ${n(8)}, ${n(9)}, ${n(10)}, ${n(11)}, ${n(12)}, ${n(13)}, now())`;
    });
    await wh.run(
      `insert into meta.ingest_files (run_id, source, entity, dt, file, status, lines_read, accepted, rejected, forgotten, bytes, duration_s, message, recorded_at) values ${values.join(", ")}`,
      params,
    );
  }
}
