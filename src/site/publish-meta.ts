import fs from "node:fs";
import path from "node:path";
import { PARQUET_OPTIONS } from "../lib/files.ts";
import type { Warehouse } from "../lib/warehouse.ts";

/**
 * Publish the pipeline's recent history with the marts (called by src/lib/publish.ts), so the site's
 * Pipeline health page never has to open the warehouse (which a running nightly holds).
 *
 * Writes `<snapshot>/meta/<table>.parquet` for runs, run_stages, model_runs, test_results and ingest_files,
 * limited to the last `runs` runs (ingest_files: the last 30 export dates). The loader
 * (src/site/loaders/pipeline.ts) reads these when all five exist and falls back to the warehouse otherwise.
 */
export async function publishMeta(wh: Warehouse, snapshotDir: string, opts: { runs?: number } = {}): Promise<{ table: string; rows: number }[]> {
  const dir = path.join(snapshotDir, "meta");
  fs.mkdirSync(dir, { recursive: true });
  const runs = opts.runs ?? 30;
  const recent = `(select run_id from meta.runs order by started_at desc limit ${Math.max(1, Math.floor(runs))})`;
  const queries: [string, string][] = [
    ["runs", `select * from meta.runs where run_id in ${recent}`],
    ["run_stages", `select * from meta.run_stages where run_id in ${recent}`],
    ["model_runs", `select * from meta.model_runs where run_id in ${recent}`],
    ["test_results", `select * from meta.test_results where run_id in ${recent}`],
    ["ingest_files", "select * from meta.ingest_files where dt > (select max(dt) from meta.ingest_files) - 30"],
  ];
  const written: { table: string; rows: number }[] = [];
  for (const [table, sql] of queries) {
    const file = path.join(dir, `${table}.parquet`);
    await wh.run(`copy (${sql}) to $1 (${PARQUET_OPTIONS})`, [file]);
    const n = await wh.one<{ n: number }>(`select count(*)::bigint as n from (${sql})`);
    written.push({ table, rows: Number(n?.n ?? 0) });
  }
  return written;
}
