import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { threadId, Worker } from "node:worker_threads";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { buildSync } from "esbuild";
import { Tombstones } from "../../src/lib/forget.ts";
import { duckdbMemoryLimit } from "../../src/lib/memory.ts";
import { genericSpec, type GenericMapping } from "../networks/generic.ts";
import { SOURCES } from "../registry.ts";
import type { EntitySpec, NetworkSpec, Source } from "../types.ts";
import { landBatch, type BatchOptions, type FileOptions, type FileOutcome } from "./land.ts";

/**
 * Who lands files: a pool of worker threads (one batch of files each at a time, each with its own
 * single-threaded DuckDB), so validation uses every core; or, for entity specs that cannot cross a thread
 * (a test's stand-in network, whose schema is a closure), one DuckDB connection on this thread.
 *
 * A spec crosses a thread as a reference: the registered source and entity by name, plus the generic
 * adapter's mapping (plain data) — the worker rebuilds the same spec from it.
 */
export interface SpecRef {
  source: Source;
  entity: string;
  mapping?: GenericMapping;
}

export type TaskOptions = Omit<BatchOptions, "isForgottenLine" | "onProgress">;
export type BatchFiles = { file: string; options: FileOptions }[];

export interface LandTask {
  ref: SpecRef;
  files: BatchFiles;
  options: TaskOptions;
}

export interface WorkerInit {
  dataRoot: string;
  /** DuckDB's memory_limit for this engine (createLander derives it from the process's limit). */
  memoryLimit: string;
  /** Where DuckDB may spill when a batch outgrows its memory limit (one subdirectory per thread). */
  tempDir: string;
}

export type ToWorker = { type: "land"; id: number; task: LandTask } | { type: "close" };
export type FromWorker =
  | { type: "ready" }
  | { type: "progress"; id: number; index: number; lines: number }
  | { type: "done"; id: number; outcomes: FileOutcome[] }
  | { type: "error"; id: number; message: string };

/** The reference of a spec, when a worker can rebuild it; undefined when it cannot cross threads. */
export function specRef(source: NetworkSpec, spec: EntitySpec<any>): SpecRef | undefined {
  const registered = SOURCES[source.name as Source];
  if (registered?.entities.includes(spec)) return { source: registered.name as Source, entity: spec.entity };
  const mapping = (spec as { mapping?: GenericMapping }).mapping;
  if (source.name === "generic" && mapping) return { source: "generic", entity: spec.entity, mapping };
  return undefined;
}

export function resolveSpec(ref: SpecRef): EntitySpec<any> {
  if (ref.mapping) return genericSpec(ref.mapping);
  const spec = SOURCES[ref.source]?.entities.find((e) => e.entity === ref.entity);
  if (!spec) throw new Error(`no entity ${ref.source}/${ref.entity} in the registry`);
  return spec;
}

/**
 * The module a worker thread starts from. worker.js registers tsx, whose loader resolves and transforms each of the
 * worker's ~30 modules on a hooks thread: a worker was ready 0.82–0.90 s after it was started and cost 1.2–1.3 s of
 * CPU. Instead, esbuild (which tsx itself runs on) bundles worker-main.ts and the project modules it imports into one
 * ES module in `dir` (packages stay imports, by absolute URL, so that the file can live outside the install); a worker
 * started from it was ready after 0.45–0.49 s, for 0.58–0.65 s of CPU, and the bundle took 0.10–0.19 s to make
 * (docs/performance.md, "Ingest: compiled schemas"). The same TypeScript either way; when the bundle cannot be made,
 * worker.js is used.
 */
export function workerEntry(dir: string): URL {
  const viaTsx = new URL("./worker.js", import.meta.url);
  try {
    const out = buildSync({
      entryPoints: [fileURLToPath(new URL("./worker-main.ts", import.meta.url))],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      metafile: true,
      write: false,
      outfile: "ingest-worker.mjs",
      logLevel: "silent",
    });
    let text = out.outputFiles[0]!.text;
    // a module reading its own location would read the bundle's
    if (text.includes("import.meta")) return viaTsx;
    const packages = new Set(Object.values(out.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external && !i.path.startsWith("node:")).map((i) => i.path)));
    for (const name of packages) text = text.replaceAll(`from ${JSON.stringify(name)};`, `from ${JSON.stringify(import.meta.resolve(name))};`);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "ingest-worker.mjs");
    fs.writeFileSync(file, text);
    return pathToFileURL(file);
  } catch {
    return viaTsx;
  }
}

/**
 * What lands files, on any thread: an in-memory DuckDB (UTC, no extension downloads) and the opt-out check
 * built from the data root's tombstones (pipelines/ingest/land.ts drops the lines it matches).
 */
export interface LandingEngine {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  forgotten: Pick<BatchOptions, "isForgottenLine">;
}

export async function openLandingEngine(init: WorkerInit, threads: number): Promise<LandingEngine> {
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    threads: String(threads),
    memory_limit: init.memoryLimit,
    temp_directory: path.join(init.tempDir, `thread-${threadId}`),
  });
  const conn = await instance.connect();
  await conn.run("set TimeZone = 'UTC'");
  const t = Tombstones.load(init.dataRoot);
  return { instance, conn, forgotten: t ? { isForgottenLine: (text: string) => t.lineMatches(text) } : {} };
}

export interface Lander {
  /** Land a batch of files of one entity; `spec` is used in process, `ref` (when given) by a worker. */
  land(spec: EntitySpec<any>, ref: SpecRef | undefined, files: BatchFiles, options: TaskOptions, onProgress: (index: number, lines: number) => void): Promise<FileOutcome[]>;
  close(): Promise<void>;
}

/** Every batch on one DuckDB connection of this thread, one at a time. */
export class InProcessLander implements Lander {
  private tail: Promise<unknown> = Promise.resolve();
  /** Opened on the first batch. */
  private engine: Promise<LandingEngine> | undefined;

  constructor(
    private readonly init: WorkerInit,
    private readonly threads = 2,
  ) {}

  land(spec: EntitySpec<any>, _ref: SpecRef | undefined, files: BatchFiles, options: TaskOptions, onProgress: (index: number, lines: number) => void): Promise<FileOutcome[]> {
    const run = this.tail.then(async () => {
      this.engine ??= openLandingEngine(this.init, this.threads);
      const { conn, forgotten } = await this.engine;
      return landBatch(conn, spec, files, { ...options, ...forgotten, onProgress });
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.tail;
    if (!this.engine) return;
    const { instance, conn } = await this.engine;
    conn.closeSync();
    instance.closeSync();
  }
}

interface Pending {
  id: number;
  spec: EntitySpec<any>;
  /** Undefined when the spec cannot cross threads: this thread lands it. */
  ref: SpecRef | undefined;
  task: Omit<LandTask, "ref">;
  onProgress: (index: number, lines: number) => void;
  resolve: (r: FileOutcome[]) => void;
  reject: (e: Error) => void;
}

/** `size` landers (this thread and worker threads); batches are handed out in submission order as landers come free. */
export class WorkerLander implements Lander {
  private readonly queue: Pending[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly workers: Worker[] = [];
  private nextId = 1;
  private fatal: Error | undefined;
  private readonly here: InProcessLander;

  /** Whether this thread is landing a batch (it is one of the pool's landers). */
  private hereBusy = false;

  /**
   * `size` landers. With `landHere` (the default) this thread is one of them, on its own single-threaded DuckDB: its
   * modules are loaded already, where a worker takes about a second of CPU to load them, so it starts at once and
   * one worker fewer is started. Without it (tests), every batch that can cross goes to a worker.
   */
  constructor(init: WorkerInit, size: number, private readonly landHere = true, bundle = true) {
    this.here = new InProcessLander(init, landHere ? 1 : 2);
    const n = landHere ? size - 1 : size;
    const entry = n === 0 ? undefined : bundle ? workerEntry(init.tempDir) : new URL("./worker.js", import.meta.url);
    for (let i = 0; i < n; i++) {
      const w = new Worker(entry!, { workerData: init });
      this.workers.push(w);
      w.on("message", (m: FromWorker) => this.onMessage(w, m));
      w.on("error", (err) => this.onCrash(w, err));
      w.on("exit", (code) => {
        if (code !== 0) this.onCrash(w, new Error(`ingest worker exited with code ${code}`));
      });
    }
  }

  land(spec: EntitySpec<any>, ref: SpecRef | undefined, files: BatchFiles, options: TaskOptions, onProgress: (index: number, lines: number) => void): Promise<FileOutcome[]> {
    if (this.fatal) return Promise.reject(this.fatal);
    return new Promise<FileOutcome[]>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, spec, ref, task: { files, options }, onProgress, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (;;) {
      // this thread takes the next batch when free (without landHere, only batches that cannot cross)
      const h = this.hereBusy ? -1 : this.landHere ? (this.queue.length > 0 ? 0 : -1) : this.queue.findIndex((p) => p.ref === undefined);
      if (h !== -1) {
        this.startHere(this.queue.splice(h, 1)[0]!);
        continue;
      }
      const i = this.idle.length > 0 ? this.queue.findIndex((p) => p.ref !== undefined) : -1;
      if (i === -1) return;
      const w = this.idle.shift()!;
      const [p] = this.queue.splice(i, 1);
      this.busy.set(w, p!);
      w.postMessage({ type: "land", id: p!.id, task: { ...p!.task, ref: p!.ref! } } satisfies ToWorker);
    }
  }

  private startHere(p: Pending): void {
    this.hereBusy = true;
    this.here
      .land(p.spec, p.ref, p.task.files, p.task.options, p.onProgress)
      .then(p.resolve, p.reject)
      .finally(() => {
        this.hereBusy = false;
        this.dispatch();
      });
  }

  private onMessage(w: Worker, m: FromWorker): void {
    if (m.type === "ready") {
      this.idle.push(w);
      this.dispatch();
      return;
    }
    const p = this.busy.get(w);
    if (!p || p.id !== m.id) return;
    if (m.type === "progress") {
      p.onProgress(m.index, m.lines);
      return;
    }
    this.busy.delete(w);
    this.idle.push(w);
    if (m.type === "done") p.resolve(m.outcomes);
    else p.reject(new Error(`ingest worker failed on ${p.task.files.map((f) => f.file).join(", ")}: ${m.message}`));
    this.dispatch();
  }

  private onCrash(w: Worker, err: Error): void {
    this.fatal ??= err;
    const p = this.busy.get(w);
    this.busy.delete(w);
    p?.reject(err);
    for (const q of this.queue.splice(0)) q.reject(err);
  }

  async close(): Promise<void> {
    await this.here.close();
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once("exit", () => resolve());
            w.postMessage({ type: "close" } satisfies ToWorker);
            // a worker that never got ready (or crashed) is stopped outright
            setTimeout(() => void w.terminate(), 5000).unref();
          }),
      ),
    );
  }
}

/**
 * A lander for `parallelism` batches at a time (default: the machine's cores): this thread and `parallelism` − 1 worker
 * threads for `parallelism` > 1 (with `landHere` false, `parallelism` workers), else this thread alone. `processLimit` is the process's memory limit (`--memory-limit`): its DuckDB share
 * (src/lib/memory.ts) is split between the engines, so that together they stay within it.
 */
export function createLander(init: Omit<WorkerInit, "memoryLimit">, processLimit: string, parallelism = os.availableParallelism(), landHere = true, bundle = true): Lander {
  const engines = Math.max(1, parallelism) + (landHere ? 0 : 1);
  const engineInit: WorkerInit = { ...init, memoryLimit: duckdbMemoryLimit(processLimit, engines) };
  return parallelism > 1 ? new WorkerLander(engineInit, parallelism, landHere, bundle) : new InProcessLander(engineInit);
}
