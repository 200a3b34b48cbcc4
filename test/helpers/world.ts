import { Writable } from "node:stream";
import { generate } from "../../pipelines/generate/generate.ts";
import { DEFAULT_TOPICS_FILE, loadTopics } from "../../pipelines/generate/topics.ts";
import type { Context } from "../../src/cli/context.ts";
import { Output } from "../../src/cli/output.ts";
import { runNight } from "../../src/cli/commands/nightly.ts";
import { addDays } from "../../src/lib/dates.ts";
import { DataLayout, INSTALL_DIR } from "../../src/lib/paths.ts";
import { Warehouse } from "../../src/lib/warehouse.ts";
import { tempDir } from "./warehouse.ts";

/** A command context on a temp data directory, printing nothing (or to `log` when given). */
export function quietContext(dataDir: string, log?: string[]): Context {
  const sink = new Writable({
    write(chunk, _enc, done) {
      log?.push(String(chunk));
      done();
    },
  });
  return {
    config: { dataDir, projectDir: INSTALL_DIR, memoryLimit: "2GB", threads: 2 },
    layout: new DataLayout(dataDir),
    out: new Output(sink, sink, false),
  };
}

/** Generate a small sample world into a fresh data directory. */
export async function sampleWorld(opts: { people: number; days: number; end: string; seed: number }): Promise<Context> {
  const ctx = quietContext(tempDir("clout-world-"));
  await generate({ out: ctx.layout.root, people: opts.people, days: opts.days, end: opts.end, seed: opts.seed, gzip: false, topics: loadTopics(DEFAULT_TOPICS_FILE), validate: "none" });
  return ctx;
}

/** Run the nightly for every date from `from` to `to`. */
export async function runNights(ctx: Context, from: string, to: string): Promise<void> {
  for (let d = from; d <= to; d = addDays(d, 1)) await runNight(ctx, { date: d });
}

/** Query the warehouse of a context read-only (no night may be running). */
export async function queryWarehouse<T extends Record<string, unknown>>(ctx: Context, sql: string, params?: (string | number)[]): Promise<T[]> {
  const wh = await Warehouse.open({ path: ctx.layout.warehouse, readOnly: true, threads: 1 });
  try {
    return await wh.all<T>(sql, params);
  } finally {
    wh.close();
  }
}
