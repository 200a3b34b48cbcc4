import fs from "node:fs";
import path from "node:path";
import { Warehouse } from "../../lib/warehouse.ts";
import { round, type Published } from "../published.ts";

/**
 * The Pipeline health page: the warehouse's meta tables (runs, run_stages, model_runs, test_results,
 * ingest_files) — not marts. Read from the publish when it carries them (`<published>/meta/<table>.parquet`,
 * see the publishMeta proposal), else from the warehouse opened read-only. A warehouse held by a running
 * nightly cannot be opened: the loader then fails with that reason, and so does the build.
 */
export const META_TABLES = ["runs", "run_stages", "model_runs", "test_results", "ingest_files"] as const;

async function metaSource(p: Published, dataDir: string): Promise<{ db: Warehouse; source: string; close: () => void }> {
  const metaDir = path.join(p.dir, "meta");
  if (META_TABLES.every((t) => fs.existsSync(path.join(metaDir, `${t}.parquet`)))) {
    // the in-memory database already has empty meta tables (Warehouse.open creates them): replace them with views
    await p.db.run("create schema if not exists meta");
    for (const t of META_TABLES) {
      await p.db.run(`drop table if exists meta.${t}`);
      await p.db.run(`create or replace view meta.${t} as select * from read_parquet('${path.join(metaDir, `${t}.parquet`).replace(/'/g, "''")}')`);
    }
    return { db: p.db, source: "published", close: () => {} };
  }
  const file = path.join(dataDir, "warehouse.duckdb");
  if (!fs.existsSync(file)) throw new Error(`no pipeline history: ${file} does not exist and the publish has no meta/ folder`);
  let db: Warehouse;
  try {
    db = await Warehouse.open({ path: file, readOnly: true, threads: 1, memoryLimit: "1GB" });
  } catch (err) {
    throw new Error(`cannot read the pipeline history from ${file}: ${(err as Error).message} (a nightly holds the warehouse: build the site when it has finished)`);
  }
  return { db, source: "warehouse", close: () => db.close() };
}

export async function pipeline(p: Published, dataDir: string, opts: { runs?: number } = {}) {
  const { db, source, close } = await metaSource(p, dataDir);
  try {
    const limit = opts.runs ?? 30;
    const runs = await db.all<{ run_id: string; command: string; status: string; run_date: string | null; started_at: string; duration_s: number | null; message: string | null }>(
      `select run_id, command, status, run_date::varchar as run_date, strftime(started_at, '%Y-%m-%dT%H:%M:%SZ') as started_at,
              epoch(finished_at) - epoch(started_at) as duration_s, message
       from meta.runs order by started_at desc limit $1`,
      [limit],
    );
    const ids = runs.map((r) => r.run_id);
    const inRuns = "(select run_id from meta.runs order by started_at desc limit $1)";
    const stages = ids.length
      ? await db.all<{ run_id: string; stage: string; status: string; duration_s: number | null }>(
          `select run_id, stage, status, duration_s from meta.run_stages where run_id in ${inRuns} order by started_at`,
          [limit],
        )
      : [];
    const lastBuild = (
      await db.all<{ run_id: string }>(
        "select run_id from meta.model_runs group by run_id order by min(started_at) desc limit 1",
      )
    )[0]?.run_id;
    const models = lastBuild
      ? await db.all<{ model: string; layer: string; materialized: string; status: string; duration_s: number | null; row_count: number | null; message: string | null }>(
          `select model, layer, materialized, status, duration_s, row_count, message from meta.model_runs
           where run_id = $1 order by duration_s desc nulls last, model`,
          [lastBuild],
        )
      : [];
    const modelHistory = ids.length
      ? await db.all<{ run_id: string; layer: string; duration_s: number; models: number; failed: number }>(
          `select run_id, layer, sum(duration_s) as duration_s, count(*)::bigint as models,
                  count(*) filter (where status not in ('success', 'ok'))::bigint as failed
           from meta.model_runs where run_id in ${inRuns} group by all`,
          [limit],
        )
      : [];
    const ingest = await db.all<{ network: string; dt: string; files: number; accepted: number; rejected: number; bytes: number }>(
      `select source as network, dt::varchar as dt, count(*)::bigint as files, sum(accepted)::bigint as accepted,
              sum(rejected)::bigint as rejected, sum(bytes)::bigint as bytes
       from meta.ingest_files where dt > (select max(dt) from meta.ingest_files) - 30
       group by all order by dt, network`,
    );
    const rejects = await db.all<{ network: string; entity: string; dt: string; file: string | null; rejected: number; lines_read: number; message: string | null }>(
      `select source as network, entity, dt::varchar as dt, file, rejected, lines_read, message from meta.ingest_files
       where rejected > 0 or status not in ('landed', 'skipped') order by recorded_at desc limit 20`,
    );
    const lastTest = (await db.all<{ run_id: string }>("select run_id from meta.test_results tr join meta.runs r using (run_id) order by r.started_at desc limit 1"))[0]?.run_id;
    const testSummary = lastTest
      ? await db.all<{ status: string; severity: string; tests: number }>(
          "select status, severity, count(*)::bigint as tests from meta.test_results where run_id = $1 group by all order by status, severity",
          [lastTest],
        )
      : [];
    const testProblems = lastTest
      ? await db.all<{ test_name: string; model: string | null; severity: string; status: string; failures: number | null; message: string | null }>(
          `select test_name, model, severity, status, failures, message from meta.test_results
           where run_id = $1 and status <> 'pass' order by severity, test_name limit 50`,
          [lastTest],
        )
      : [];
    const testHistory = ids.length
      ? await db.all<{ run_id: string; pass: number; fail: number; warn: number; error: number }>(
          `select run_id, count(*) filter (where status = 'pass')::bigint as pass, count(*) filter (where status = 'fail')::bigint as fail,
                  count(*) filter (where status = 'warn')::bigint as warn, count(*) filter (where status = 'error')::bigint as error
           from meta.test_results where run_id in ${inRuns} group by run_id`,
          [limit],
        )
      : [];
    return {
      source,
      runs: runs.map((r) => ({ ...r, duration_s: round(r.duration_s, 2) })),
      stages: stages.map((s) => ({ ...s, duration_s: round(s.duration_s, 2) })),
      last_build: lastBuild ?? null,
      models: models.map((m) => ({ ...m, duration_s: round(m.duration_s, 3) })),
      model_history: modelHistory.map((m) => ({ ...m, duration_s: round(m.duration_s, 2) })),
      ingest,
      rejects,
      last_test_run: lastTest ?? null,
      tests: testSummary,
      test_problems: testProblems,
      test_history: testHistory,
    };
  } finally {
    close();
  }
}
