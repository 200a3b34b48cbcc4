import { Command } from "commander";
import { ingest, recordIngest } from "../../../pipelines/ingest/ingest.ts";
import { SOURCES } from "../../../pipelines/registry.ts";
import { UserError, messageOf, quote } from "../../lib/errors.ts";
import { acquireLock } from "../../lib/lock.ts";
import { publish } from "../../lib/publish.ts";
import { newRunId } from "../../lib/runid.ts";
import type { Warehouse } from "../../lib/warehouse.ts";
import { recordRunEnd, recordRunStart } from "../../runner/runs.ts";
import { contextOf, withWarehouse, type Context } from "../context.ts";
import { seconds } from "../output.ts";
import { buildModels } from "./build.ts";
import { datesOf, printReport } from "./ingest.ts";
import { runDataTests } from "./test.ts";

/**
 * The night: ingest → build → test → publish for one date; a range runs date by date. Each night holds the
 * data directory's lock, records its stages in meta.run_stages, and publishes only when every stage passed:
 * a failed ingest (beyond the reject threshold, or an unreadable file), a failed model or an error-severity
 * data test marks the run failed, exits 1, and leaves the last good publish as it was.
 */
export interface NightOptions {
  date: string;
  fullRefresh?: boolean;
  /** Run every data test over the whole table (`clout test --full`). */
  fullTests?: boolean;
  rejectThreshold?: number;
}

async function stage<T>(wh: Warehouse | undefined, runId: string, name: string, ctx: Context, fn: () => Promise<T>): Promise<T> {
  const t0 = new Date();
  ctx.out.progress(`${name}…`);
  try {
    const out = await fn();
    if (wh) await wh.run("insert into meta.run_stages values ($1, $2, 'success', $3::timestamptz, $4, null)", [runId, name, t0.toISOString(), (Date.now() - t0.getTime()) / 1000]);
    return out;
  } catch (err) {
    if (wh) await wh.run("insert into meta.run_stages values ($1, $2, 'error', $3::timestamptz, $4, $5)", [runId, name, t0.toISOString(), (Date.now() - t0.getTime()) / 1000, messageOf(err)]);
    throw err;
  }
}

export async function runNight(ctx: Context, opts: NightOptions): Promise<{ runId: string; seconds: number }> {
  const runId = newRunId();
  const started = new Date();
  const lock = acquireLock(ctx.layout.root, "nightly", runId);
  if (lock.cleared) ctx.out.warn(`cleared a stale lock left by ${lock.cleared.command} ${lock.cleared.run_id} (PID ${lock.cleared.pid}, no longer running)`);
  try {
    ctx.out.line(`nightly ${runId}: ${opts.date}`);
    // 1. ingest: before the warehouse is opened (it does not need it), recorded once it is
    const t0 = new Date();
    const reports = await ingest({
      layout: ctx.layout,
      runId,
      dates: [opts.date],
      sources: Object.values(SOURCES),
      rejectThreshold: opts.rejectThreshold ?? 0.05,
      memoryLimit: ctx.config.memoryLimit,
      parallelism: ctx.config.threads,
      onProgress: (t) => ctx.out.progress(t),
      onSourceDone: (r) => printReport(ctx, r),
    });
    const ingestSeconds = (Date.now() - t0.getTime()) / 1000;
    return await withWarehouse(ctx, async (wh) => {
      await recordRunStart(wh, { runId, command: "nightly", startedAt: started, runDate: opts.date, selector: null });
      try {
        await recordIngest(wh, runId, reports);
        const failed = reports.filter((r) => r.status === "failed");
        await wh.run("insert into meta.run_stages values ($1, 'ingest', $2, $3::timestamptz, $4, $5)", [
          runId,
          failed.length ? "error" : "success",
          t0.toISOString(),
          ingestSeconds,
          failed.length ? failed.map((f) => `${f.source}: ${f.message}`).join("; ") : null,
        ]);
        if (failed.length > 0) {
          throw new UserError(
            `nightly ${opts.date} failed at ingest: ${failed.map((f) => `${f.source}: ${f.message}`).join("; ")}`,
            "nothing was published; the last good publish is unchanged. Fix or re-export the file, then rerun the night",
          );
        }
        await stage(wh, runId, "build", ctx, () =>
          buildModels(ctx, wh, { runId, runDate: opts.date, fullRefresh: opts.fullRefresh ?? false, command: "nightly", recordRun: false }),
        );
        ctx.out.quietPasses = true;
        const tests = await stage(wh, runId, "test", ctx, () => runDataTests(ctx, wh, { runId, full: opts.fullTests ?? false }));
        if (tests.failed > 0) {
          throw new UserError(`nightly ${opts.date} failed its data tests: ${tests.line}`, "nothing was published; `clout status` lists the failures, `clout test` shows the offending rows");
        }
        const pub = await stage(wh, runId, "publish", ctx, () => publish(wh, ctx.layout.root, runId, { score_date: opts.date }));
        ctx.out.line(`published ${pub.tables.length} tables to ${pub.dir}`);
        const took = (Date.now() - started.getTime()) / 1000;
        await recordRunEnd(wh, runId, "success", new Date(), null);
        ctx.out.line(`nightly ${runId}: ${opts.date} ok in ${seconds(took)}`);
        return { runId, seconds: took };
      } catch (err) {
        await recordRunEnd(wh, runId, "error", new Date(), messageOf(err).slice(0, 2000));
        throw err;
      }
    });
  } finally {
    lock.release();
  }
}

export function nightlyCommand(): Command {
  return new Command("nightly")
    .description("the night: ingest → build → test → publish for one date (or each date of --from..--to)")
    .option("-d, --date <date>", "the night to run (default: yesterday, UTC)")
    .option("--from <date>", "backfill: first date (with --to)")
    .option("--to <date>", "backfill: last date (with --from)")
    .option("--full-refresh", "rebuild incremental, merge and cache models from scratch on the first night of the run", false)
    .option("--full-tests", "check every row in the data tests (clout test --full), not only the rows written since a uniqueness test last passed", false)
    .option("--reject-threshold <rate>", "fail the night when more than this share of a file's lines is rejected", "0.05")
    .action(async (flags: { date?: string; from?: string; to?: string; fullRefresh: boolean; fullTests: boolean; rejectThreshold: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const dates = datesOf(flags);
      const threshold = Number(flags.rejectThreshold);
      if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) throw new UserError(`invalid --reject-threshold ${quote(flags.rejectThreshold)}`, "a share between 0 and 1, e.g. 0.05");
      const t0 = Date.now();
      for (const [i, date] of dates.entries()) {
        await runNight(ctx, { date, fullRefresh: flags.fullRefresh && i === 0, fullTests: flags.fullTests, rejectThreshold: threshold });
      }
      if (dates.length > 1) ctx.out.line(`backfill ${dates[0]}..${dates[dates.length - 1]}: ${dates.length} nights ok in ${seconds((Date.now() - t0) / 1000)}`);
    });
}

export function publishCommand(): Command {
  return new Command("publish")
    .description("write the marts to data/published/ atomically (the nightly does this after its tests pass)")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const runId = newRunId();
      const lock = acquireLock(ctx.layout.root, "publish", runId);
      try {
        await withWarehouse(ctx, async (wh) => {
          const pub = await publish(wh, ctx.layout.root, runId);
          for (const t of pub.tables) ctx.out.line(`  ${t.file.padEnd(34)} ${t.rows.toLocaleString("en-US")} rows`);
          ctx.out.line(`published ${pub.tables.length} tables to ${pub.dir}`);
        });
      } finally {
        lock.release();
      }
    });
}
