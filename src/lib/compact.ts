import fs from "node:fs";
import path from "node:path";
import { UserError, quote } from "./errors.ts";
import { ident, literal, STORAGE_VERSION, Warehouse } from "./warehouse.ts";

/**
 * `clout compact`: give the warehouse file back the space its free blocks hold. DuckDB never shrinks its file: the
 * blocks of a replaced table are only reused (the build checkpoints after each table so that they are), and space
 * left by earlier or failed runs stays in the file (tier m: 40.5 GiB with half its blocks free before the build
 * checkpointed; docs/performance.md, "The warehouse file"). Compacting copies every schema, table, view and
 * sequence into a new file next to the old one (`COPY FROM DATABASE`), checks that the copy holds the same objects,
 * columns and row counts, and renames it over the old file, which is atomic: a crash at any point leaves the old warehouse as it was (a half-written copy
 * is removed by the next compact). The caller holds the data directory's lock, so no night writes meanwhile.
 * The copy is written in the current storage format (STORAGE_VERSION), so compacting also upgrades a warehouse
 * created by an older Clout.
 */
export interface CompactResult {
  file: string;
  before_bytes: number;
  after_bytes: number;
  /** The storage format of the file before and after, as DuckDB names it ("v1.0.0+", "v1.5.0+"). */
  before_storage_version: string;
  after_storage_version: string;
  /** Share of the old file's blocks that were free. */
  free_share: number;
  tables: number;
  views: number;
  rows: number;
  seconds: number;
}

interface Inventory {
  /** Row count of each table. */
  tables: Map<string, number>;
  /** Columns (name and type, in order) of each table and view. A view's SQL text is not compared: DuckDB writes it
   * back in its own spelling (an EXCLUDE list comes out in another order), but a view that binds to the same
   * columns in the copy is the same view. */
  columns: Map<string, string>;
  views: Set<string>;
  sequences: string[];
}

const COPY_PREFIX = ".compact-";

async function inventory(wh: Warehouse): Promise<Inventory> {
  const tables = await wh.all<{ s: string; t: string }>(
    "select schema_name as s, table_name as t from duckdb_tables() where database_name = current_database() order by 1, 2",
  );
  const counts = new Map<string, number>();
  for (const { s, t } of tables) {
    const row = await wh.one<{ n: number }>(`select count(*)::bigint as n from ${ident(s)}.${ident(t)}`);
    counts.set(`${s}.${t}`, Number(row!.n));
  }
  const views = await wh.all<{ s: string; v: string }>(
    "select schema_name as s, view_name as v from duckdb_views() where database_name = current_database() and not internal order by 1, 2",
  );
  const columns = await wh.all<{ s: string; t: string; cols: string }>(
    `select schema_name as s, table_name as t, string_agg(column_name || ' ' || data_type, ', ' order by column_index) as cols
     from duckdb_columns() where database_name = current_database() group by all`,
  );
  const sequences = await wh.all<{ s: string; q: string }>(
    "select schema_name as s, sequence_name as q from duckdb_sequences() where database_name = current_database() order by 1, 2",
  );
  return {
    tables: counts,
    columns: new Map(columns.map((c) => [`${c.s}.${c.t}`, c.cols])),
    views: new Set(views.map((v) => `${v.s}.${v.v}`)),
    sequences: sequences.map((q) => `${q.s}.${q.q}`),
  };
}

/** What differs between the two inventories, in words; empty when they hold the same. */
export function inventoryDiff(a: Inventory, b: Inventory): string[] {
  const out: string[] = [];
  for (const [name, n] of a.tables) {
    const m = b.tables.get(name);
    if (m === undefined) out.push(`table ${name} is missing from the copy`);
    else if (m !== n) out.push(`table ${name} has ${m} rows in the copy, ${n} in the warehouse`);
  }
  for (const name of b.tables.keys()) if (!a.tables.has(name)) out.push(`table ${name} is only in the copy`);
  for (const name of a.views) if (!b.views.has(name)) out.push(`view ${name} is missing from the copy`);
  for (const name of b.views) if (!a.views.has(name)) out.push(`view ${name} is only in the copy`);
  for (const [name, cols] of a.columns) {
    const other = b.columns.get(name);
    if (other !== undefined && other !== cols) out.push(`${name} has other columns in the copy: ${other} (the warehouse: ${cols})`);
  }
  if (a.sequences.join(",") !== b.sequences.join(",")) out.push(`sequences differ: ${a.sequences.join(", ")} / ${b.sequences.join(", ")}`);
  return out;
}

/** Copies a crashed compact left next to `file`. */
export function leftoverCopies(file: string): string[] {
  const dir = path.dirname(file);
  const prefix = path.basename(file) + COPY_PREFIX;
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith(prefix)).map((n) => path.join(dir, n)) : [];
}

/** Throws the person-facing error when there is no warehouse file to compact. */
export function requireWarehouse(file: string): void {
  if (!fs.existsSync(file)) throw new UserError(`no warehouse at ${quote(file)}`, "run `clout build` or `clout nightly` first; there is nothing to compact");
}

export async function compactWarehouse(
  file: string,
  opts: { runId: string; memoryLimit?: string; threads?: number; say?: (text: string) => void },
): Promise<CompactResult> {
  const t0 = performance.now();
  const say = opts.say ?? (() => {});
  requireWarehouse(file);
  for (const old of leftoverCopies(file)) {
    say(`removing ${path.basename(old)}, left by a compact that did not finish`);
    fs.rmSync(old, { force: true });
  }
  const copy = `${file}${COPY_PREFIX}${opts.runId}`;
  const open = { memoryLimit: opts.memoryLimit, threads: opts.threads };
  let before: Inventory;
  let freeShare: number;
  let beforeVersion: string;
  const wh = await Warehouse.open({ path: file, ...open });
  try {
    await wh.run("checkpoint");
    const space = await warehouseFileInfo(wh);
    freeShare = space.free_share;
    beforeVersion = space.storage_version;
    const need = space.bytes * (1 - space.free_share);
    const disk = fs.statfsSync(path.dirname(file));
    const available = disk.bavail * disk.bsize;
    if (available < need * 1.1) {
      throw new UserError(
        `not enough free disk to compact ${quote(file)}: the copy needs about ${gib(need)}, ${gib(available)} is free`,
        "free some disk (old published-* snapshots, exports already landed) and run `clout compact` again",
      );
    }
    before = await inventory(wh);
    say(`copying ${before.tables.size} tables and ${before.views.size} views (${gib(need)} in use, ${(freeShare * 100).toFixed(0)}% of the file's blocks free)…`);
    const db = (await wh.one<{ db: string }>("select current_database() as db"))!.db;
    try {
      await wh.run(`attach ${literal(copy)} as clout_compact (storage_version ${literal(STORAGE_VERSION)})`);
      await wh.run(`copy from database ${ident(db)} to clout_compact`);
      await wh.run("detach clout_compact");
    } catch (err) {
      fs.rmSync(copy, { force: true });
      fs.rmSync(`${copy}.wal`, { force: true });
      throw err;
    }
  } finally {
    wh.close();
  }
  let afterVersion = "";
  try {
    say("checking the copy…");
    const check = await Warehouse.open({ path: copy, readOnly: true, ...open });
    // the copy's format is checked too: a copy in the old format would not be what was asked for
    let after: Inventory;
    try {
      after = await inventory(check);
      afterVersion = (await warehouseFileInfo(check)).storage_version;
    } finally {
      check.close();
    }
    const diff = inventoryDiff(before, after);
    if (afterVersion !== `${STORAGE_VERSION}+`) diff.push(`the copy is in storage format ${afterVersion}, not ${STORAGE_VERSION}`);
    if (diff.length) throw new Error(`the compacted copy differs from the warehouse: ${diff.slice(0, 3).join("; ")}`);
    for (const wal of [`${file}.wal`, `${copy}.wal`]) {
      if (fs.existsSync(wal)) throw new Error(`${quote(wal)} exists after a clean close; not replacing the warehouse`);
    }
  } catch (err) {
    fs.rmSync(copy, { force: true });
    throw err;
  }
  const beforeBytes = fs.statSync(file).size;
  fs.renameSync(copy, file);
  const rows = [...before.tables.values()].reduce((s, n) => s + n, 0);
  return {
    file,
    before_bytes: beforeBytes,
    after_bytes: fs.statSync(file).size,
    free_share: freeShare,
    before_storage_version: beforeVersion,
    after_storage_version: afterVersion,
    tables: before.tables.size,
    views: before.views.size,
    rows,
    seconds: Math.round((performance.now() - t0) / 10) / 100,
  };
}

/**
 * The warehouse file's blocks: total bytes, the share of blocks that are free (what `clout compact` gives back), and
 * its storage format as DuckDB tags it ("v1.0.0+" for a file an older Clout created, `${STORAGE_VERSION}+` for new ones).
 */
export async function warehouseFileInfo(wh: Warehouse): Promise<{ bytes: number; free_share: number; storage_version: string }> {
  const r = (await wh.one<{ total: number; free: number; block: number }>(
    "select total_blocks::bigint as total, free_blocks::bigint as free, block_size::bigint as block from pragma_database_size() where database_name = current_database()",
  ))!;
  const v = await wh.one<{ v: string | null }>(
    "select tags['storage_version'] as v from duckdb_databases() where database_name = current_database()",
  );
  const total = Number(r.total);
  return {
    bytes: total * Number(r.block),
    free_share: total > 0 ? Math.round((Number(r.free) / total) * 1000) / 1000 : 0,
    storage_version: v?.v ?? "unknown",
  };
}

/** Whether a file in `version` (as warehouseFileInfo gives it) is older than the format new warehouses are written in. */
export function olderStorage(version: string): boolean {
  const parse = (s: string) => (/^v(\d+)\.(\d+)\.(\d+)/.exec(s) ?? []).slice(1).map(Number);
  const [a, b] = [parse(version), parse(STORAGE_VERSION)];
  if (a.length !== 3) return false;
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** Above this share of free blocks, `clout status` suggests `clout compact`. */
export const COMPACT_HINT_SHARE = 0.3;

export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GiB`;
}
