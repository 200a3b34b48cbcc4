import fs from "node:fs";
import path from "node:path";
import { publishMeta } from "../site/publish-meta.ts";
import { PARQUET_OPTIONS, writeJsonAtomic } from "./files.ts";
import { ident, type Warehouse } from "./warehouse.ts";

/**
 * Publishing: the marts (and the frozen calibration) as Parquet files for analysts and the site.
 *
 * data/published is a symbolic link to a complete snapshot directory `data/published-<run_id>/`.
 * A publish writes a new snapshot beside it, then replaces the link with rename(2), which is atomic:
 * a reader sees the old set of files or the new set, never a mix, and a crash at any point leaves the
 * last good publish readable. The previous snapshot is kept (one back) and older ones are removed.
 */
export interface PublishResult {
  run_id: string;
  dir: string;
  tables: { table: string; rows: number; file: string }[];
}

export const PUBLISHED_EXTRA = [{ schema: "meta", table: "score_calibration" }];

function snapshotsOf(root: string): string[] {
  return fs
    .readdirSync(root)
    .filter((n) => /^published-\d{8}T\d{6}Z-[0-9a-f]+$/.test(n))
    .sort();
}

export async function publish(wh: Warehouse, dataRoot: string, runId: string, meta: Record<string, unknown> = {}): Promise<PublishResult> {
  const link = path.join(dataRoot, "published");
  const snapshot = path.join(dataRoot, `published-${runId}`);
  const staging = `${snapshot}.tmp`;
  // a publish that failed (a full disk, a kill) left its temporaries: free their space before writing a snapshot
  removeTemporaries(dataRoot);
  fs.mkdirSync(staging, { recursive: true });
  const marts = await wh.all<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema = 'marts' and table_type = 'BASE TABLE' order by table_name",
  );
  const tables: { schema: string; table: string }[] = [...marts.map((m) => ({ schema: "marts", table: m.table_name }))];
  for (const extra of PUBLISHED_EXTRA) if (await wh.tableExists(extra.schema, extra.table)) tables.push(extra);
  const written: PublishResult["tables"] = [];
  for (const t of tables) {
    const file = path.join(staging, `${t.table}.parquet`);
    await wh.run(`copy (select * from ${ident(t.schema)}.${ident(t.table)}) to $1 (${PARQUET_OPTIONS})`, [file]);
    const n = await wh.one<{ n: number }>(`select count(*)::bigint as n from ${ident(t.schema)}.${ident(t.table)}`);
    written.push({ table: t.table, rows: Number(n?.n ?? 0), file: `${t.table}.parquet` });
  }
  // the pipeline's recent history, for the site's Pipeline health page (never needs the live warehouse)
  await publishMeta(wh, staging);
  writeJsonAtomic(path.join(staging, "_manifest.json"), { run_id: runId, published_at: new Date().toISOString(), ...meta, tables: written });
  fs.renameSync(staging, snapshot);
  // swap the link atomically: make the new link aside, then rename it over the old one
  const tmpLink = `${link}.tmp-${runId}`;
  fs.rmSync(tmpLink, { force: true });
  fs.symlinkSync(path.basename(snapshot), tmpLink);
  if (fs.existsSync(link) && !fs.lstatSync(link).isSymbolicLink()) {
    // an old plain directory from an earlier layout: move it aside first (not atomic, once)
    fs.renameSync(link, path.join(dataRoot, `published-legacy-${runId}`));
  }
  fs.renameSync(tmpLink, link);
  cleanup(dataRoot);
  return { run_id: runId, dir: link, tables: written };
}

/** Keep the live snapshot and the one before it; remove older snapshots and stale temporaries. */
export function cleanup(dataRoot: string): void {
  const link = path.join(dataRoot, "published");
  const live = fs.existsSync(link) ? path.basename(fs.realpathSync(link)) : undefined;
  const snaps = snapshotsOf(dataRoot);
  const keep = new Set<string>(live ? [live] : []);
  const older = snaps.filter((s) => s !== live);
  if (older.length > 0) keep.add(older[older.length - 1]!);
  for (const s of snaps) if (!keep.has(s)) fs.rmSync(path.join(dataRoot, s), { recursive: true, force: true });
  removeTemporaries(dataRoot);
}

/** Remove the snapshots and links a publish was still writing when it failed. Publishes hold the data directory's lock, so none is being written. */
export function removeTemporaries(dataRoot: string): void {
  for (const n of fs.readdirSync(dataRoot)) {
    if (/^published-.*\.tmp$/.test(n) || /^published\.tmp-/.test(n)) fs.rmSync(path.join(dataRoot, n), { recursive: true, force: true });
  }
}
