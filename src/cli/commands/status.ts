import fs from "node:fs";
import { Command } from "commander";
import { COMPACT_HINT_SHARE, gib, olderStorage, warehouseFileInfo } from "../../lib/compact.ts";
import { STORAGE_VERSION, Warehouse } from "../../lib/warehouse.ts";
import { contextOf } from "../context.ts";
import { count, seconds, table } from "../output.ts";

interface RunRow extends Record<string, unknown> {
  run_id: string;
  command: string;
  status: string;
  run_date: string | null;
  started_at: Date;
  duration_s: number | null;
  message: string | null;
}

export function statusCommand(): Command {
  return new Command("status")
    .description("last runs with status and durations, model row counts and data test results")
    .option("-n, --limit <n>", "how many recent runs to show", "10")
    .option("--json", "print one JSON document instead of tables", false)
    .action(async (opts: { limit: string; json: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const limit = Math.max(1, Math.min(1000, Number.parseInt(opts.limit, 10) || 10));
      if (!fs.existsSync(ctx.layout.warehouse)) {
        if (opts.json) ctx.out.line(JSON.stringify({ warehouse: ctx.layout.warehouse, runs: [] }));
        else ctx.out.line(`no warehouse yet at ${ctx.layout.warehouse}: run \`clout build\` or \`npm run demo\``);
        return;
      }
      const wh = await Warehouse.open({ path: ctx.layout.warehouse, readOnly: true, memoryLimit: ctx.config.memoryLimit, threads: ctx.config.threads });
      try {
        const runs = await wh.all<RunRow>(
          `select run_id, command, status, run_date::varchar as run_date, started_at,
                  round(epoch(finished_at) - epoch(started_at), 2) as duration_s, message
           from meta.runs order by started_at desc limit $1`,
          [limit],
        );
        const lastBuild = runs.find((r) => r.command === "build" || r.command === "nightly");
        const models = lastBuild
          ? await wh.all(
              `select model, layer, materialized, status, round(duration_s, 2) as duration_s, row_count from meta.model_runs where run_id = $1 order by started_at`,
              [lastBuild.run_id],
            )
          : [];
        const lastTest = await wh.one<{ run_id: string }>(
          `select r.run_id from meta.runs r where exists (select 1 from meta.test_results t where t.run_id = r.run_id) order by r.started_at desc limit 1`,
        );
        const tests = lastTest
          ? await wh.all(`select test_name, severity, status, failures from meta.test_results where run_id = $1 order by status <> 'pass' desc, test_name`, [lastTest.run_id])
          : [];
        // Freshness per source: the latest landed date, and that date's counts (latest landing of each file).
        const sources = await wh.all(
          `with latest as (
             select *, row_number() over (partition by source, entity, dt order by recorded_at desc) as rn
             from meta.ingest_files where status <> 'missing'
           ), current as (select * from latest where rn = 1),
           fresh as (select source, max(dt) filter (where status = 'landed') as latest_dt, max(dt) as last_tried_dt from current group by source)
           select f.source, f.latest_dt::varchar as latest_landed, count(c.file)::integer as files,
                  coalesce(sum(c.lines_read), 0)::bigint as lines_read, coalesce(sum(c.accepted), 0)::bigint as accepted,
                  coalesce(sum(c.rejected), 0)::bigint as rejected,
                  (select string_agg(distinct x.dt::varchar, ',' order by x.dt::varchar) from current x where x.source = f.source and x.status not in ('landed')) as failed_dates
           from fresh f left join current c on c.source = f.source and c.dt = f.latest_dt
           group by all order by f.source`,
        );
        // Cache models (materialized: cache) and when each last started empty; older warehouses lack the table.
        const hasCaches = await wh.one("select 1 as x from information_schema.tables where table_schema = 'meta' and table_name = 'cache_models'");
        const caches = hasCaches
          ? await wh.all<{ model: string; started_empty: string; reason: string }>(
              "select model, strftime(reset_at, '%Y-%m-%d %H:%M:%S') as started_empty, reset_reason as reason from meta.cache_models order by model",
            )
          : [];
        const space = await warehouseFileInfo(wh);
        if (opts.json) {
          ctx.out.line(JSON.stringify({ warehouse: ctx.layout.warehouse, warehouse_file: space, runs, sources, last_build: { run_id: lastBuild?.run_id ?? null, models }, caches, last_test: { run_id: lastTest?.run_id ?? null, tests } }, null, 2));
          return;
        }
        ctx.out.line(
          `warehouse ${ctx.layout.warehouse}: ${gib(space.bytes)}, ${(space.free_share * 100).toFixed(0)}% of its blocks free${space.free_share >= COMPACT_HINT_SHARE ? " (`clout compact` gives them back to the disk)" : ""}`,
        );
        ctx.out.line(
          `storage format ${space.storage_version}${olderStorage(space.storage_version) ? ` (older than new warehouses' ${STORAGE_VERSION}: \`clout compact\` rewrites it in that format, whose string columns read faster)` : ""}`,
        );
        ctx.out.line("");
        ctx.out.line(`recent runs`);
        for (const l of table(runs.map((r) => ({ run: r.run_id, command: r.command, status: r.status, date: r.run_date ?? "", duration: r.duration_s === null ? "running" : seconds(r.duration_s), message: r.message ?? "" })), 80)) ctx.out.line(`  ${l}`);
        if (sources.length > 0) {
          ctx.out.line("");
          ctx.out.line("sources (latest landed date; accepted + rejected = lines read)");
          for (const l of table(sources.map((x) => ({ ...x, lines_read: count(x.lines_read as number), accepted: count(x.accepted as number), rejected: count(x.rejected as number), failed_dates: x.failed_dates ?? "" })))) ctx.out.line(`  ${l}`);
        }
        if (lastBuild) {
          ctx.out.line("");
          ctx.out.line(`models of ${lastBuild.run_id}`);
          for (const l of table(models.map((m) => ({ ...m, row_count: count(m.row_count as number | null) })))) ctx.out.line(`  ${l}`);
        }
        if (caches.length > 0) {
          ctx.out.line("");
          ctx.out.line("caches (kept between builds; each started empty at this time, for this reason)");
          for (const l of table(caches)) ctx.out.line(`  ${l}`);
        }
        if (lastTest) {
          const bad = tests.filter((t) => t.status !== "pass");
          ctx.out.line("");
          ctx.out.line(`data tests of ${lastTest.run_id}: ${tests.length - bad.length} of ${tests.length} pass`);
          if (bad.length > 0) for (const l of table(bad)) ctx.out.line(`  ${l}`);
        }
      } finally {
        wh.close();
      }
    });
}
