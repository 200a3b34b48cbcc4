import type { Warehouse } from "../lib/warehouse.ts";

/** The `meta.runs` ledger: one row per command run, opened as 'running' and closed with its status. */
export async function recordRunStart(
  wh: Warehouse,
  run: { runId: string; command: string; startedAt: Date; runDate: string | null; selector: string | null },
): Promise<void> {
  const exists = await wh.one<{ n: number }>("select count(*)::integer as n from meta.runs where run_id = $1", [run.runId]);
  if (exists && exists.n > 0) return;
  await wh.run(
    `insert into meta.runs (run_id, command, status, started_at, run_date, selector)
     values ($1, $2, 'running', $3::timestamptz, $4::date, $5)`,
    [run.runId, run.command, run.startedAt.toISOString(), run.runDate, run.selector],
  );
}

export async function recordRunEnd(wh: Warehouse, runId: string, status: string, finishedAt: Date, message: string | null): Promise<void> {
  await wh.run("update meta.runs set status = $2, finished_at = $3::timestamptz, message = $4 where run_id = $1", [
    runId,
    status,
    finishedAt.toISOString(),
    message,
  ]);
}
