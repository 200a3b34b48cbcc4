/**
 * The benchmark's stages, each a function of a data root that returns the rows it handled. `bench/child.ts`
 * runs one of them per child process (so stages do not share a heap and each has its own peak RSS); the
 * orchestrator is `bench/run.ts`. The stages call the same library functions the CLI commands do.
 */
import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { generate } from "../pipelines/generate/generate.ts";
import { DEFAULT_TOPICS_FILE, loadTopics } from "../pipelines/generate/topics.ts";
import { ingest, recordIngest } from "../pipelines/ingest/ingest.ts";
import { SOURCES } from "../pipelines/registry.ts";
import type { Context } from "../src/cli/context.ts";
import { withWarehouse } from "../src/cli/context.ts";
import { buildModels } from "../src/cli/commands/build.ts";
import { runNight } from "../src/cli/commands/nightly.ts";
import { runDataTests } from "../src/cli/commands/test.ts";
import { Output } from "../src/cli/output.ts";
import { warehouseFileInfo } from "../src/lib/compact.ts";
import { addDays } from "../src/lib/dates.ts";
import { DataLayout, INSTALL_DIR } from "../src/lib/paths.ts";
import { publish } from "../src/lib/publish.ts";
import { newRunId } from "../src/lib/runid.ts";
import { recordRunEnd, recordRunStart } from "../src/runner/runs.ts";

/** What every stage is told: the data root, the world's shape and the dates to handle. */
export interface StageParams {
  root: string;
  people: number;
  seed: number;
  /** The generator's activity (GenerateOptions.activity; default 1). */
  activity?: number;
  /** First and last generated date. */
  start: string;
  end: string;
  /** The dates ingest lands (all of them, or all but the last when a nightly-incremental stage follows). */
  ingestFrom: string;
  ingestTo: string;
  /** The night the build stage (and test, publish) runs for. */
  buildDate: string;
  memoryLimit: string;
  threads: number;
  /** Where a stage's own log goes (the CLI's lines). */
  log: string;
}

export interface StageOutcome {
  rows: number;
  /** Stage-specific figures (kept in the JSON under `extra`). */
  extra?: Record<string, unknown>;
}

function contextFor(p: StageParams): Context {
  const fd = fs.openSync(p.log, "a");
  const sink = new Writable({
    write(chunk, _enc, done) {
      fs.writeSync(fd, String(chunk));
      done();
    },
  });
  return { config: { dataDir: p.root, projectDir: INSTALL_DIR, memoryLimit: p.memoryLimit, threads: p.threads }, layout: new DataLayout(p.root), out: new Output(sink, sink, false) };
}

export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export const STAGES: Record<string, (p: StageParams) => Promise<StageOutcome>> = {
  async generate(p) {
    const days = datesBetween(p.start, p.end).length;
    const s = await generate({ out: p.root, people: p.people, days, end: p.end, seed: p.seed, gzip: false, topics: loadTopics(DEFAULT_TOPICS_FILE), validate: "none", activity: p.activity ?? 1 });
    return { rows: s.totalRecords, extra: { people: s.people, bots: s.bots, accounts: s.accounts, days, activity: s.activity, bytes: s.totalBytes, records: s.records, interactions: s.interactions } };
  },

  /** All networks, every date of ingestFrom..ingestTo, recorded in meta like `clout ingest`. rows = lines read. */
  async ingest(p) {
    const ctx = contextFor(p);
    const runId = newRunId();
    const started = new Date();
    const reports = await ingest({ layout: ctx.layout, runId, dates: datesBetween(p.ingestFrom, p.ingestTo), sources: Object.values(SOURCES), rejectThreshold: 0.05, memoryLimit: p.memoryLimit, parallelism: p.threads });
    const failed = reports.filter((r) => r.status === "failed");
    await withWarehouse(ctx, async (wh) => {
      await recordRunStart(wh, { runId, command: "ingest", startedAt: started, runDate: null, selector: "bench" });
      await recordIngest(wh, runId, reports);
      await recordRunEnd(wh, runId, failed.length ? "error" : "success", new Date(), null);
    });
    if (failed.length) throw new Error(`ingest failed: ${failed.map((f) => `${f.source} ${f.date}: ${f.message}`).join("; ")}`);
    const files = reports.flatMap((r) => r.files).filter((f) => f.status !== "missing" && f.file);
    return {
      rows: files.reduce((s, f) => s + f.lines_read, 0),
      // Per file, so the comparison can take the same files DuckDB reads.
      extra: { files: files.map((f) => ({ source: f.source, entity: f.entity, date: f.date, file: f.file, lines: f.lines_read, accepted: f.accepted, rejected: f.rejected, bytes: f.bytes, seconds: f.duration_s })) },
    };
  },

  /**
   * One night's models (full refresh) for buildDate. rows = rows the models wrote; extra.interaction_rows = the
   * rows of intermediate.int_interactions_unioned (every engagement action, follows included: what the scoring reads);
   * extra.warehouse_bytes and storage_version = the warehouse file after the build.
   */
  async build(p) {
    const ctx = contextFor(p);
    const { r, space } = await withWarehouse(ctx, async (wh) => {
      const r = await buildModels(ctx, wh, { runId: newRunId(), runDate: p.buildDate, fullRefresh: true });
      return { r, space: await warehouseFileInfo(wh) };
    });
    const slowest = [...r.results].sort((a, b) => b.duration_s - a.duration_s).slice(0, 5);
    const rowsOf = (schema: string, name: string) => r.results.find((m) => m.schema === schema && m.name === name)?.row_count ?? null;
    return {
      rows: r.results.reduce((s, m) => s + (m.row_count ?? 0), 0),
      extra: {
        models: r.results.length,
        interaction_rows: rowsOf("intermediate", "int_interactions_unioned"),
        content_rows: rowsOf("intermediate", "int_content_unioned"),
        slowest: slowest.map((m) => ({ model: `${m.schema}.${m.name}`, seconds: m.duration_s, rows: m.row_count })),
        // the warehouse file after the build: its size and DuckDB storage format
        warehouse_bytes: space.bytes,
        warehouse_free_share: space.free_share,
        storage_version: space.storage_version,
      },
    };
  },

  /** The data tests. rows = tests run. */
  async test(p) {
    const ctx = contextFor(p);
    const r = await withWarehouse(ctx, (wh) => runDataTests(ctx, wh, { runId: newRunId() }));
    return { rows: r.results.length, extra: { failed: r.failed, summary: r.line } };
  },

  /** Publish the marts. rows = rows written. */
  async publish(p) {
    const ctx = contextFor(p);
    const r = await withWarehouse(ctx, (wh) => publish(wh, p.root, newRunId(), { score_date: p.buildDate }));
    return { rows: r.tables.reduce((s, t) => s + t.rows, 0), extra: { tables: r.tables.length } };
  },

  /** The static site, if bench/site.ts exports benchSite. rows = pages. */
  async site(p) {
    const mod = (await import(path.join(INSTALL_DIR, "bench", "site.ts"))) as { benchSite?: (o: { dataDir: string }) => Promise<{ build_s: number; pages: { page: string; bytes: number }[] }> };
    if (typeof mod.benchSite !== "function") throw new Error("bench/site.ts does not export benchSite");
    const r = await mod.benchSite({ dataDir: p.root });
    return { rows: r.pages.length, extra: { build_s: r.build_s, bytes: r.pages.reduce((s, x) => s + x.bytes, 0) } };
  },

  /** Tier m: one incremental night (ingest → build → test → publish) on top of the history, for `end`. */
  async "nightly-incremental"(p) {
    const ctx = contextFor(p);
    await runNight(ctx, { date: p.end });
    return { rows: 1, extra: { date: p.end } };
  },
};
