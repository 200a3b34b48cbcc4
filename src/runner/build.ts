import { createHash } from "node:crypto";
import path from "node:path";
import { UserError, machineHint, messageOf, quote } from "../lib/errors.ts";
import { writeJsonAtomic } from "../lib/files.ts";
import { pagerank } from "../lib/pagerank.ts";
import { ident, type Warehouse } from "../lib/warehouse.ts";
import { changedKeys, deleteLogged, hashOf, logKeys, logReset, planChangeLogs, readerPlan, recordReader, sourcesNow, type ChangeLogPlan, type SourcesNow } from "./changelog.ts";
import { writtenKeyColumns } from "./datatests.ts";
import type { Graph } from "./graph.ts";
import type { Model } from "./project.ts";
import { recordRunEnd, recordRunStart } from "./runs.ts";

/**
 * Runs models in dependency order. Each model is replaced atomically:
 * - view: `create or replace view`;
 * - table: `create or replace table … as <select>` inside a transaction, so a failing query leaves the
 *   last good table as it was;
 * - incremental (by date): the query is built into a temporary table, checked to hold only the run date,
 *   and that date's rows are deleted and inserted in one transaction (never duplicated).
 * - append: rows whose unique_key is new are inserted; existing rows are never replaced;
 * - merge: a table keyed by `unique_key` whose query is computed whole, compared with the table row by row, and
 *   only the difference applied (rows gone or changed are deleted, rows new or changed inserted), in one
 *   transaction. The table ends with the same rows as `table` would give; what it saves is rewriting the rows that
 *   did not change (most of a full-history table's rows on a night). Rows are matched by a hash of the key and a
 *   hash of the whole row; see runMergeModel. The first run, a change of columns or types, and `--full-refresh`
 *   replace the table as `table` does. A merge model that reads only the lake may set `reads_changed_since`: when
 *   the lake only gained partitions since its last build, its query runs with `getvariable('changed_since')` set to
 *   the first new date and returns the rows of the keys that may have changed, which replace theirs (see
 *   runChangedSince). `changed_since` is NULL for every other model and run. A merge model that follows the merge
 *   models it reads row for row may set `changed_keys`: it is then computed from the keys they logged as changed
 *   since its last build (src/runner/changelog.ts, runChangedKeys); `changed_keys` is NULL otherwise.
 * - cache: a table whose query reads its own previous rows (e.g. topic matches kept per text fingerprint, so a
 *   night matches only new texts). On the first run, and whenever the model's SQL or declared columns change
 *   or `--full-refresh` is given, it starts from an empty table made from the columns its .yml declares; the
 *   query's result must have exactly those columns and types. Reset and replacement are one transaction.
 * Every model may read the run date as `getvariable('run_date')`.
 * The first failing model stops the run: the rest are marked skipped, and the error names the model,
 * its file and DuckDB's message.
 */

export type ModelStatus = "success" | "error" | "skipped";

export interface ModelResult {
  name: string;
  layer: string;
  schema: string;
  file: string;
  materialized: string;
  status: ModelStatus;
  started_at: string;
  duration_s: number;
  row_count: number | null;
  /** The error of a failed model; for a merge model, what it wrote (`merged: +12 −3 rows` or `replaced: first run`). */
  message: string | null;
}

export interface BuildResult {
  run_id: string;
  command: string;
  run_date: string;
  selector: string | null;
  full_refresh: boolean;
  status: "success" | "error";
  started_at: string;
  finished_at: string;
  duration_s: number;
  results: ModelResult[];
}

export interface BuildOptions {
  runId: string;
  runDate: string;
  selected: string[];
  selector?: string | undefined;
  fullRefresh?: boolean;
  /** Where run_results.json goes (`<dir>/<run_id>/run_results.json`); none when undefined. */
  artifactsDir?: string | undefined;
  command?: string;
  /** Record the run in meta.runs (false when a nightly records it around several stages). */
  recordRun?: boolean;
  /** The landed partitions of a lake source view (`raw.<source>__<entity>`), dt → signature (pipelines/sources.ts
   *  lakePartitions); without it every merge model is computed whole. */
  lakePartitions?: (source: string) => Map<string, string> | undefined;
  onModelStart?: (model: Model, index: number, total: number) => void;
  onModelEnd?: (result: ModelResult, index: number, total: number) => void;
}

export class ModelFailedError extends UserError {
  readonly result: BuildResult;
  constructor(model: Model, cause: string, result: BuildResult) {
    super(
      `model ${quote(model.name)} (${model.file}) failed: ${cause}`,
      // a full disk or DuckDB out of memory is the machine's, not the SQL's
      machineHint(cause) ?? `tables from the last good run are unchanged; fix the SQL, then \`clout build --select ${model.name}+\``,
    );
    this.result = result;
  }
}

type Kind = "table" | "view";

/** Rows written by tables since the last checkpoint that make the build checkpoint (see runBuild). */
export const CHECKPOINT_ROWS = 20_000;

/**
 * What each relation of the warehouse is (`schema.name` → table or view), read once per build: a catalog query costs
 * 3-5 ms whatever the warehouse's size, which was 0.37 s of a 500-person world's 4-second build when asked per model.
 */
async function relationKinds(wh: Warehouse): Promise<Map<string, Kind>> {
  const rows = await wh.all<{ s: string; n: string; t: Kind }>(
    `select schema_name as s, table_name as n, 'table' as t from duckdb_tables() where not temporary and database_name = current_database()
     union all
     select schema_name, view_name, 'view' from duckdb_views() where not temporary and not internal and database_name = current_database()`,
  );
  return new Map(rows.map((r) => [`${r.s}.${r.n}`, r.t]));
}

async function countRows(wh: Warehouse, target: string): Promise<number> {
  const row = await wh.one<{ n: number }>(`select count(*)::bigint as n from ${target}`);
  return Number(row?.n ?? 0);
}

/**
 * A pagerank model's SQL gives the edges (`graph`, `src`, `dst`, `weight`); the table it builds holds
 * `graph, node, rank` from src/lib/pagerank.ts (networkx's conventions), swapped in atomically. Its note (the build's
 * output line and meta.model_runs.message) says how many edges, graphs and iterations, whether every graph
 * converged, and the seconds spent on the edges (the model's SQL) and on the ranks.
 */
async function runPagerankModel(wh: Warehouse, model: Model, target: string, kind: "table" | "view" | undefined): Promise<{ rows: number; note: string }> {
  // Work tables, dropped at the end. The edges are a temporary table, like src/lib/pagerank.ts's own, and so never
  // written to the warehouse file (21.5M rows in a night at 1M people); the ranks (one row per node) sit beside the
  // target. Names from code: schema and model name are validated.
  const edges = `temp.main.__clout_edges_${model.name}`;
  const out = `${model.schema}.__clout_rank_${model.name}`;
  const t0 = performance.now();
  await wh.run(`create or replace temp table __clout_edges_${model.name} as\n${model.sql}`);
  const edgeSeconds = (performance.now() - t0) / 1000;
  const p = model.config.pagerank ?? {};
  try {
    const ranked = await pagerank(wh, {
      edges,
      out,
      ...(p.damping !== undefined ? { damping: p.damping } : {}),
      ...(p.tol !== undefined ? { tol: p.tol } : {}),
      ...(p.max_iter !== undefined ? { maxIter: p.max_iter } : {}),
    });
    const rows = await wh.transaction(async () => {
      if (kind === "view") await wh.run(`drop view ${target}`);
      await wh.run(`create or replace table ${target} as from ${out}`);
      return countRows(wh, target);
    });
    const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
    const note =
      `${plural(ranked.edges, "edge")}, ${plural(ranked.graphs, "graph")}, ${plural(ranked.iterations, "iteration")}, ` +
      `${ranked.converged ? "converged" : "not converged"}: edges ${edgeSeconds.toFixed(2)} s, ranks ${ranked.seconds.toFixed(2)} s`;
    return { rows, note };
  } finally {
    await wh.run(`drop table if exists ${edges}; drop table if exists ${out}`);
  }
}

/** A cache model's definition: its SQL and declared columns. A change empties the cache (its rows may be stale). */
export function cacheDefinition(model: Model): { sha256: string; columns: [string, string][] } {
  const columns = Object.entries(model.config.columns ?? {}).map(([name, c]) => [name, c!.data_type!] as [string, string]);
  const sha256 = createHash("sha256").update(JSON.stringify({ sql: model.sql, columns })).digest("hex");
  return { sha256, columns };
}

async function columnTypes(wh: Warehouse, schema: string, name: string, temp = false): Promise<string[]> {
  const rows = await wh.all<{ c: string; t: string }>(
    `select column_name as c, data_type as t from information_schema.columns
     where table_schema = $1 and table_name = $2 ${temp ? "and table_catalog = 'temp'" : "and table_catalog <> 'temp'"} order by ordinal_position`,
    [schema, name],
  );
  return rows.map((r) => `${r.c} ${r.t}`);
}

/**
 * A cache model: its query reads the table's previous rows and returns what the table should hold. Emptied first on
 * a first run, --full-refresh or a changed definition (recorded in meta.cache_models). Otherwise, with a
 * `unique_key`, its rows are written by comparison (writeCompared): only rows new since the last build are inserted
 * and rows gone deleted, instead of rewriting the whole table (topic matching's cache at 1M people with nothing new:
 * 19.6-22.5 s against 23.8-27.3 s, and 1.1 GB more memory; docs/performance.md). Returns the rows held and, when
 * compared, a note.
 */
async function runCacheModel(wh: Warehouse, model: Model, target: string, kind: "table" | "view" | undefined, fullRefresh: boolean, track: Set<string>): Promise<{ rows: number; note?: string }> {
  const def = cacheDefinition(model);
  const columnsDdl = def.columns.map(([n, t]) => `${ident(n)} ${t}`).join(", ");
  // one row per cache model: a reset replaces it
  const state = await wh.one<{ sha: string }>("select definition_sha256 as sha from meta.cache_models where model = $1", [model.name]);
  const reason =
    kind !== "table" ? "first run" : fullRefresh ? "--full-refresh" : state?.sha !== def.sha256 ? (state ? "definition changed" : "no recorded definition") : undefined;
  const decl = ident(`__clout_decl_${model.name}`);
  const declared = async () => {
    await wh.run(`create or replace temp table ${decl} (${columnsDdl})`);
    const want = await columnTypes(wh, "main", `__clout_decl_${model.name}`, true);
    await wh.run(`drop table ${decl}`);
    return want;
  };
  const mismatch = (got: string[], want: string[]) =>
    new Error(`cache model returned columns (${got.join(", ")}) but its .yml declares (${want.join(", ")}); they must match, in order`);
  const key = model.config.unique_key;
  if (!reason && key) {
    const [got, want] = [await queryColumns(wh, model.sql), await declared()];
    if (JSON.stringify(got) !== JSON.stringify(want)) throw mismatch(got, want);
    const held = await countRows(wh, target);
    return wh.transaction(async () => {
      const inserted = await writeCompared(wh, model, target, key, def.columns.map(([n]) => ident(n)), undefined, track);
      const rows = await countRows(wh, target);
      return { rows, note: `compared: +${inserted.toLocaleString("en-US")} −${(held + inserted - rows).toLocaleString("en-US")} rows` };
    });
  }
  return wh.transaction(async () => {
    if (reason) {
      if (kind === "view") await wh.run(`drop view ${target}`);
      await wh.run(`create or replace table ${target} (${columnsDdl})`);
    }
    await wh.run(`create or replace table ${target} as\n${model.sql}`);
    const [got, want] = [await columnTypes(wh, model.schema, model.name), await declared()];
    if (JSON.stringify(got) !== JSON.stringify(want)) throw mismatch(got, want);
    if (reason) {
      await wh.run("delete from meta.cache_models where model = $1", [model.name]);
      await wh.run("insert into meta.cache_models values ($1, $2, now(), $3)", [model.name, def.sha256, reason]);
    }
    return { rows: await countRows(wh, target) };
  });
}

/** Column names and types of a query's result, without running it (DuckDB binds `describe <query>`). */
async function queryColumns(wh: Warehouse, sql: string): Promise<string[]> {
  const rows = await wh.all<{ column_name: string; column_type: string }>(`describe (\n${sql}\n)`);
  return rows.map((r) => `${r.column_name} ${r.column_type}`);
}

export interface MergeOutcome {
  rows: number;
  /** Why the table was replaced whole instead of merged (first run, --full-refresh, columns changed). */
  replaced: string | undefined;
  inserted: number;
  deleted: number;
  /** For a model that reads changed_since: the first new date it was computed from, or null when nothing was new. */
  since?: string | null;
  /** For a model that reads changed_since or changed_keys but was computed whole: why. */
  whole?: string;
  /** For a model that reads changed_keys, computed from them: how many keys its sources changed. */
  keys?: number;
}

/** What a reads_changed_since model was last built from: its SQL's hash and each source's partitions (dt → signature). */
interface LakeState {
  sha256: string;
  partitions: Record<string, Record<string, string>>;
}

function lakeStateOf(model: Model, sources: string[], lakePartitions: (source: string) => Map<string, string> | undefined): LakeState {
  const partitions: LakeState["partitions"] = {};
  for (const src of sources) partitions[src] = Object.fromEntries([...(lakePartitions(src) ?? new Map<string, string>())].sort());
  return { sha256: createHash("sha256").update(model.sql).digest("hex"), partitions };
}

/**
 * Whether a model built from `before` may now be computed from the new partitions only: yes when its SQL is the same
 * and every partition it was built from is still there, unchanged. Then `since` is the first date of the partitions
 * added since (null: none). A partition re-landed, rewritten (`clout forget`) or removed means whole.
 */
function changedSince(before: LakeState | undefined, now: LakeState): { since: string | null } | { whole: string } {
  if (!before) return { whole: "no recorded lake state" };
  if (before.sha256 !== now.sha256) return { whole: "definition changed" };
  let since: string | null = null;
  for (const [src, parts] of Object.entries(now.partitions)) {
    const old = before.partitions[src] ?? {};
    for (const [dt, sig] of Object.entries(old)) {
      if (parts[dt] !== sig) return { whole: `${src} dt=${dt} ${parts[dt] === undefined ? "removed" : "re-landed or rewritten"}` };
    }
    for (const dt of Object.keys(parts)) if (!(dt in old) && (since === null || dt < since)) since = dt;
  }
  return { since };
}

async function readLakeState(wh: Warehouse, model: string): Promise<LakeState | undefined> {
  const row = await wh.one<{ sha: string; p: string }>("select definition_sha256 as sha, partitions_json as p from meta.merge_lake_state where model = $1", [model]);
  return row ? { sha256: row.sha, partitions: JSON.parse(row.p) as LakeState["partitions"] } : undefined;
}

async function recordLakeState(wh: Warehouse, model: string, state: LakeState): Promise<void> {
  await wh.run("delete from meta.merge_lake_state where model = $1", [model]);
  await wh.run("insert into meta.merge_lake_state values ($1, $2, $3, now())", [model, state.sha256, JSON.stringify(state.partitions)]);
}

/**
 * A plain night for a reads_changed_since model: the query, run with `changed_since` = `since`, returns the rows of
 * every key that may have changed; the table's rows of those keys are deleted and the returned rows inserted, in one
 * transaction. Keys the query does not return are left as they were, so such a model must never lose a key to new
 * data (sql/staging/README.md), unless it returns the key as a tombstone (`tombstone_column` true): then the key's row
 * is deleted and nothing inserted for it. `changed_since` is NULL again afterwards, whatever happens.
 */
async function runChangedSince(wh: Warehouse, model: Model, target: string, since: string, names: string[], held: number, state: LakeState, track: Set<string>, log?: string[]): Promise<MergeOutcome> {
  const key = model.config.unique_key!.map(ident);
  const fresh = ident(`__clout_changed_${model.name}`);
  await wh.run("set variable changed_since = $1::date", [since]);
  try {
    return await wh.transaction(async () => {
      await wh.run(`create or replace temp table ${fresh} as\n${model.query}`);
      // the rows to insert: all the query returned, but its tombstones
      const tomb = model.config.tombstone_column;
      const live = tomb ? `(select * from ${fresh} where ${ident(tomb)} is not true)` : fresh;
      const counts = await wh.one<{ returned: number; inserted: number }>(
        `select count(*)::bigint as returned, ${tomb ? `count(*) filter (where ${ident(tomb)} is not true)` : "count(*)"}::bigint as inserted from ${fresh}`,
      );
      const [returned, inserted] = [Number(counts?.returned ?? 0), Number(counts?.inserted ?? 0)];
      const sameKey = `${key.map((k) => `__clout_t.${k} is not distinct from __clout_k.${k}`).join(" and ")}`;
      if (returned > 0 && log) {
        // the rows replaced or removed and their replacements, for the models reading this one's change log
        await deleteLogged(wh, model.name, target, log, `semi join (select distinct ${key.join(", ")} from ${fresh}) as __clout_k on ${sameKey}`, `select ${hashOf(log)} as h from ${live}`);
      } else if (returned > 0) {
        await wh.run(`delete from ${target} as __clout_t using (select distinct ${key.join(", ")} from ${fresh}) as __clout_k where ${sameKey}`);
      }
      const kept = returned > 0 ? await countRows(wh, target) : held;
      if (inserted > 0) await wh.run(`insert into ${target} (${names.join(", ")}) select ${names.join(", ")} from ${live}`);
      await logWritten(wh, track, model, live);
      await wh.run(`drop table ${fresh}`);
      await recordLakeState(wh, model.name, state);
      return { rows: kept + inserted, replaced: undefined, inserted, deleted: held - kept, since };
    });
  } finally {
    await wh.run("set variable changed_since = null::date");
  }
}

/**
 * A merge model: the query's rows replace the table's, writing only what changed.
 *
 * A row is identified by a pair: DuckDB's 64-bit `hash()` of its key and the same hash of the whole row. Two rows
 * are taken for equal when both agree, so a change is missed only if the new version of a row has the same key
 * hash and the same row hash as its old one (for a well-mixed hash, one chance in 2^64 ≈ 1.8e19 per changed row).
 * 1. The query is computed once. Each of its rows keeps its identity and, only when the table has no row with that
 *    identity (new or changed), the row itself, into a temporary table. The test "has the table such a row?" is an
 *    `IN (subquery)` in the select list, which DuckDB plans as a mark join built on the table's identities: a
 *    narrow hash table, whatever DuckDB estimates the query's size to be. (A full outer join of the two was built
 *    on the query's side, every column of it, when DuckDB underestimated the query.)
 * 2. Table rows whose identity the query no longer has (gone or changed) are deleted.
 * 3. The kept rows are inserted.
 * All in one transaction: a failure leaves the table as it was. A table under `merge_min_rows` (sql/project.yml) is
 * replaced instead: for small tables the comparison costs more than the write.
 */
async function runMergeModel(wh: Warehouse, model: Model, target: string, kind: "table" | "view" | undefined, fullRefresh: boolean, ctx: MergeContext): Promise<MergeOutcome> {
  const { minRows, lake, log, changeLogs } = ctx;
  const key = model.config.unique_key!;
  const tomb = model.config.tombstone_column;
  if (tomb && !(await queryColumns(wh, model.query)).includes(`${tomb} BOOLEAN`)) {
    throw new Error(`the query returns no BOOLEAN column ${quote(tomb)}, its tombstone_column: return it, true for a key whose row is gone`);
  }
  // a model reading its sources' change logs (changed_keys): what they are now, taken before the query runs
  const sources = changeLogs?.readers.get(model.name);
  const now: SourcesNow | undefined = sources ? await sourcesNow(wh, sources) : undefined;
  // what the table was built from, recorded with the table in the same transaction
  const record = async () => {
    if (lake) await recordLakeState(wh, model.name, lake);
    if (now) await recordReader(wh, changeLogs!, model, now);
  };
  const replace = async (reason: string, small = false): Promise<MergeOutcome> => {
    await wh.transaction(async () => {
      // a small table's log is the rows that differ before and after (each row's keys' hash and its whole row's
      // hash); any other replace is a reset of its log
      const before = ident(`__clout_before_${model.name}`);
      const rowHashes = log && `select ${hashOf(log, "__clout_t")} as h, hash(__clout_t) as r from ${target} as __clout_t`;
      if (log && small) await wh.run(`create or replace temp table ${before} as ${rowHashes}`);
      if (kind === "view") await wh.run(`drop view ${target}`);
      await forgetVerified(wh, ctx.track, model.name);
      await wh.run(`create or replace table ${target} as\n${model.sql}`);
      if (log && small) {
        await logKeys(wh, model.name, [`select h from (from ${before} except all ${rowHashes})`, `select h from (${rowHashes} except all from ${before})`]);
        await wh.run(`drop table ${before}`);
      } else if (log) await logReset(wh, model.name);
      await record();
    });
    return { rows: await countRows(wh, target), replaced: reason, inserted: 0, deleted: 0 };
  };
  if (kind !== "table") return replace(kind === "view" ? "was a view" : "first run");
  if (fullRefresh) return replace("--full-refresh");
  const held = await countRows(wh, target);
  const small = (setting: string, n: number) => replace(`small (${held.toLocaleString("en-US")} rows < ${setting} ${n.toLocaleString("en-US")})`, true);
  // A tiny table is cheaper to recompute than to upsert (a 500-person night's staging took 1.0 s replaced, 2.1 s
  // computed from its new partitions; at 120k people a 47,655-row table took 0.9 s replaced, 0.6 s from its new
  // partitions). The replaced table is the whole query over today's lake, so today's lake state is recorded with
  // it. (Until the fourteenth session it was not: a model whose SQL had changed and whose table held between
  // changed_since_min_rows and merge_min_rows rows was then replaced whole every night, its state never catching up.)
  if ((lake || now) && held < minRows.changedSince) return small("changed_since_min_rows", minRows.changedSince);
  const plain = lake ? changedSince(await readLakeState(wh, model.name), lake) : undefined;
  const keyed = now ? await readerPlan(wh, model, now) : undefined;
  const whole = plain && "whole" in plain ? plain.whole : keyed && "whole" in keyed ? keyed.whole : undefined;
  if (plain && "since" in plain && plain.since === null) return { rows: held, replaced: undefined, inserted: 0, deleted: 0, since: null };
  // the keys its sources logged since its last build; none: nothing to do
  const changed = ident(`__clout_keys_${model.name}`);
  let nKeys = keyed && "since" in keyed ? await changedKeys(wh, changed, keyed.since, sources!, model.config.changed_keys!) : undefined;
  if (nKeys === 0) {
    await wh.transaction(record);
    await wh.run(`drop table ${changed}`);
    return { rows: held, replaced: undefined, inserted: 0, deleted: 0, keys: 0 };
  }
  // so many keys that the whole query costs less than deleting and recomputing them
  let manyKeys: string | undefined;
  if (nKeys !== undefined && nKeys > held * minRows.keysMaxShare) {
    manyKeys = `${nKeys.toLocaleString("en-US")} changed keys > changed_keys_max_share ${minRows.keysMaxShare} of ${held.toLocaleString("en-US")} rows`;
    nKeys = undefined;
  }
  const partial = (plain && "since" in plain) || nKeys !== undefined;
  if (!partial && held < minRows.merge) {
    if (nKeys !== undefined || manyKeys) await wh.run(`drop table ${changed}`);
    return small("merge_min_rows", minRows.merge);
  }
  const [want, have] = [await queryColumns(wh, model.sql), await columnTypes(wh, model.schema, model.name)];
  if (JSON.stringify(want) !== JSON.stringify(have)) return replace("columns changed");
  const names = want.map((c) => ident(c.slice(0, c.indexOf(" "))));
  const missing = key.filter((k) => !want.some((c) => c.startsWith(`${k} `)));
  if (missing.length > 0) throw new Error(`merge model's unique_key names ${missing.map(quote).join(", ")}, which its query does not return`);
  if (plain && "since" in plain && plain.since !== null) return runChangedSince(wh, model, target, plain.since, names, held, lake!, ctx.track, log);
  if (nKeys !== undefined) return runChangedKeys(wh, model, target, changed, nKeys, names, held, log, record, ctx.track);
  if (manyKeys) await wh.run(`drop table ${changed}`);
  return wh.transaction(async () => {
    const inserted = await writeCompared(wh, model, target, key, names, log, ctx.track);
    await record();
    const rows = await countRows(wh, target);
    const why = whole ?? manyKeys;
    return { rows, replaced: undefined, inserted, deleted: held + inserted - rows, ...(why ? { whole: why } : {}) };
  });
}

/**
 * The comparison of runMergeModel's steps 1-3, inside the caller's transaction: the query's rows the table lacks are
 * inserted and the table's rows the query lacks deleted, each row identified by the hash of its `key` and the hash
 * of the whole row (`names`, its columns as SQL identifiers, in the table's order). `log`: the columns of the table's
 * change log, if a changed_keys model reads it. Returns how many rows were inserted.
 */
async function writeCompared(wh: Warehouse, model: Model, target: string, key: string[], names: string[], log: string[] | undefined, track: Set<string>): Promise<number> {
  const identity = (alias: string) =>
    `{'k': hash(${key.map((k) => `${alias}.${ident(k)}`).join(", ")}), 'h': hash(${names.map((n) => `${alias}.${n}`).join(", ")})}`;
  const fresh = ident(`__clout_merge_${model.name}`);
  await wh.run(
    `create or replace temp table ${fresh} as
     select __clout_id, case when __clout_id in (select ${identity("__clout_t")} from ${target} as __clout_t) then null else [__clout_q] end as __clout_row
     from (select ${identity("__clout_q")} as __clout_id, __clout_q from (\n${model.sql}\n) as __clout_q)`,
  );
  const inserted = Number((await wh.one<{ n: number }>(`select count(*)::bigint as n from ${fresh} where __clout_row is not null`))?.n ?? 0);
  if (log) {
    // the rows gone or changed, and the rows new or changed, for the models reading this one's change log
    const fields = log.map((c) => `struct_extract(__clout_row[1], '${c.replace(/'/g, "''")}')`).join(", ");
    await deleteLogged(wh, model.name, target, log, `where ${identity("__clout_t")} not in (select __clout_id from ${fresh})`, `select hash(${fields}) as h from ${fresh} where __clout_row is not null`);
  } else {
    await wh.run(`delete from ${target} as __clout_t where ${identity("__clout_t")} not in (select __clout_id from ${fresh})`);
  }
  if (inserted > 0) {
    await wh.run(
      `insert into ${target} (${names.join(", ")})
       select ${names.map((n) => `__clout_r.${n}`).join(", ")} from (select __clout_row[1] as __clout_r from ${fresh} where __clout_row is not null)`,
    );
    await logWritten(wh, track, model, `(select unnest(__clout_row[1]) from ${fresh} where __clout_row is not null)`);
  }
  await wh.run(`drop table ${fresh}`);
  return inserted;
}

/**
 * A night for a model with changed_keys (src/runner/changelog.ts): the query, run with `changed_keys` set to the
 * hashes its sources logged since its last build, returns every row of those keys; the table's rows of those keys
 * are deleted and the returned rows inserted, in one transaction. `changed_keys` is NULL again afterwards.
 */
async function runChangedKeys(
  wh: Warehouse,
  model: Model,
  target: string,
  changed: string,
  nKeys: number,
  names: string[],
  held: number,
  log: string[] | undefined,
  record: () => Promise<void>,
  track: Set<string>,
): Promise<MergeOutcome> {
  const mine = hashOf(model.config.changed_keys!, "__clout_t");
  const fresh = ident(`__clout_keyed_${model.name}`);
  // never NULL here: list() of no rows is NULL, which the model reads as "compute everything"
  await wh.run(`set variable changed_keys = coalesce((select list(h) from ${changed}), []::ubigint[])`);
  try {
    return await wh.transaction(async () => {
      await wh.run(`create or replace temp table ${fresh} as\n${model.sql}`);
      const inserted = await countRows(wh, fresh);
      if (log) await deleteLogged(wh, model.name, target, log, `where ${mine} in (select h from ${changed})`, `select ${hashOf(log)} as h from ${fresh}`);
      else await wh.run(`delete from ${target} as __clout_t where ${mine} in (select h from ${changed})`);
      const kept = await countRows(wh, target);
      if (inserted > 0) await wh.run(`insert into ${target} (${names.join(", ")}) select ${names.join(", ")} from ${fresh}`);
      await logWritten(wh, track, model, fresh);
      await wh.run(`drop table ${fresh}`);
      await wh.run(`drop table ${changed}`);
      await record();
      return { rows: kept + inserted, replaced: undefined, inserted, deleted: held - kept, keys: nKeys };
    });
  } finally {
    await wh.run("set variable changed_keys = null::ubigint[]");
  }
}

/** What a merge model needs besides itself. */
interface MergeContext {
  minRows: MinRows;
  /** For a reads_changed_since model: the lake as it reads it now. */
  lake?: LakeState | undefined;
  /** For a model some changed_keys model reads: the columns whose hashes its change log holds. */
  log?: string[] | undefined;
  changeLogs?: ChangeLogPlan | undefined;
  /** Models whose tests follow their writes (trackedModels). */
  track: Set<string>;
}

/** Merge tables holding fewer rows are replaced whole: `merge` for a comparison, `changedSince` for an upsert. */
interface MinRows {
  merge: number;
  changedSince: number;
  /** changed_keys models: more changed keys than this share of the table's rows means whole. */
  keysMaxShare: number;
}

/** A merge's outcome in one line, for the build's output and meta.model_runs.message. */
export function mergeNote(m: MergeOutcome): string {
  if (m.replaced) return `replaced: ${m.replaced}`;
  if (m.since === null) return "unchanged: no new partitions";
  const counts = `+${m.inserted.toLocaleString("en-US")} −${m.deleted.toLocaleString("en-US")} rows`;
  if (m.since) return `merged since ${m.since}: ${counts}`;
  if (m.keys === 0) return "unchanged: no changed keys";
  if (m.keys !== undefined) return `merged ${m.keys.toLocaleString("en-US")} changed keys: ${counts}`;
  return m.whole ? `merged: ${counts}, whole: ${m.whole}` : `merged: ${counts}`;
}

/**
 * The tests' record of a table's writes (src/runner/datatests.ts, "Uniqueness tests after a partial write"). The
 * models holding a passed test, or written keys still to check, read once per build; `track` is shared by the build.
 */
async function trackedModels(wh: Warehouse): Promise<Set<string>> {
  const rows = await wh.all<{ model: string }>("select model from meta.test_verified union select distinct model from meta.test_written_keys");
  return new Set(rows.map((r) => r.model));
}

/**
 * A partial write's inserted rows (`rows`: a table or subquery of them), logged for the table's passed tests as the
 * hashes of their written keys (writtenKeyColumns, the columns its tests search by), and for an incremental model as
 * the written date too (its tests filter on it: writtenFilter).
 */
async function logWritten(wh: Warehouse, track: Set<string>, model: Model, rows: string): Promise<void> {
  const keyCols = writtenKeyColumns(model);
  if (!keyCols || !track.has(model.name)) return;
  const cols = keyCols.map(ident).join(", ");
  const date = model.materialized === "incremental" ? `${ident(model.dateColumn!)}::date` : "null::date";
  await wh.run(`insert into meta.test_written_keys (model, key_hash, key_date) select distinct $1, hash(${cols}), ${date} from ${rows}`, [model.name]);
}

/** A write the tests cannot follow (a replace, a first run): the table's tests run whole next time. */
async function forgetVerified(wh: Warehouse, track: Set<string>, model: string): Promise<void> {
  if (!track.has(model)) return;
  await wh.run("delete from meta.test_verified where model = $1", [model]);
  await wh.run("delete from meta.test_written_keys where model = $1", [model]);
}

/** Build one model; `rows` is what the table holds (or, for append and incremental models, what this run added), `note` what a merge or a PageRank did. */
async function runModel(
  wh: Warehouse,
  model: Model,
  kind: Kind | undefined,
  fullRefresh: boolean,
  ctx: MergeContext,
): Promise<{ rows: number | null; note?: string }> {
  const rows = (n: number | null) => ({ rows: n });
  const target = `${ident(model.schema)}.${ident(model.name)}`;
  if (kind === undefined) await wh.run(`create schema if not exists ${ident(model.schema)}`);
  // merge and incremental models forget or log in their own write's transaction
  if (model.materialized !== "merge" && model.materialized !== "incremental") await forgetVerified(wh, ctx.track, model.name);
  switch (model.materialized) {
    case "view":
      await wh.transaction(async () => {
        if (kind === "table") await wh.run(`drop table ${target}`);
        await wh.run(`create or replace view ${target} as\n${model.sql}`);
      });
      return rows(null);
    case "table":
      await wh.transaction(async () => {
        if (kind === "view") await wh.run(`drop view ${target}`);
        await wh.run(`create or replace table ${target} as\n${model.sql}`);
      });
      return rows(await countRows(wh, target));
    case "incremental": {
      const dateCol = ident(model.dateColumn!);
      const tmp = ident(`__clout_new_${model.name}`);
      return rows(await wh.transaction(async () => {
        await wh.run(`create or replace temp table ${tmp} as\n${model.sql}`);
        const bad = await wh.one<{ n: number; example: string | null }>(
          `select count(*)::bigint as n, any_value(${dateCol})::varchar as example from ${tmp} where ${dateCol} is distinct from getvariable('run_date')::date`,
        );
        if (Number(bad?.n ?? 0) > 0) {
          throw new Error(
            `incremental model returned ${bad!.n} rows whose ${model.dateColumn} is not the run date (e.g. ${quote(bad!.example)}); filter on getvariable('run_date')`,
          );
        }
        if (kind === "view") await wh.run(`drop view ${target}`);
        if (fullRefresh && kind === "table") await wh.run(`drop table ${target}`);
        if (kind !== "table" || fullRefresh) await forgetVerified(wh, ctx.track, model.name);
        await wh.run(`create table if not exists ${target} as from ${tmp} with no data`);
        await wh.run(`delete from ${target} where ${dateCol} = getvariable('run_date')::date`);
        await wh.run(`insert into ${target} by name from ${tmp}`);
        await logWritten(wh, ctx.track, model, tmp);
        await wh.run(`drop table ${tmp}`);
        const row = await wh.one<{ n: number }>(`select count(*)::bigint as n from ${target} where ${dateCol} = getvariable('run_date')::date`);
        return Number(row?.n ?? 0);
      }));
    }
    case "append": {
      const tmp = ident(`__clout_new_${model.name}`);
      const key = model.config.unique_key!.map(ident);
      return rows(await wh.transaction(async () => {
        await wh.run(`create or replace temp table ${tmp} as\n${model.sql}`);
        if (kind === "view") await wh.run(`drop view ${target}`);
        if (fullRefresh && kind === "table") await wh.run(`drop table ${target}`);
        await wh.run(`create table if not exists ${target} as from ${tmp} with no data`);
        const before = await countRows(wh, target);
        await wh.run(
          `insert into ${target} by name select * from ${tmp} as n where not exists (select 1 from ${target} as o where ${key.map((k) => `o.${k} is not distinct from n.${k}`).join(" and ")})`,
        );
        await wh.run(`drop table ${tmp}`);
        return (await countRows(wh, target)) - before;
      }));
    }
    case "merge": {
      const outcome = await runMergeModel(wh, model, target, kind, fullRefresh, ctx);
      return { rows: outcome.rows, note: mergeNote(outcome) };
    }
    case "cache":
      return runCacheModel(wh, model, target, kind, fullRefresh, ctx.track);
    case "pagerank":
      return runPagerankModel(wh, model, target, kind);
  }
}

/** Build the selected models (names in build order) of `graph`. */
export async function runBuild(wh: Warehouse, graph: Graph, opts: BuildOptions): Promise<BuildResult> {
  const startedAt = new Date();
  const command = opts.command ?? "build";
  const recordRun = opts.recordRun ?? true;
  if (recordRun) await recordRunStart(wh, { runId: opts.runId, command, startedAt, runDate: opts.runDate, selector: opts.selector ?? null });
  await wh.run("set variable run_date = $1::date", [opts.runDate]);
  await wh.run("set variable changed_since = null::date");
  await wh.run("set variable changed_keys = null::ubigint[]");
  const changeLogs = planChangeLogs(graph);
  // Layer names are validated identifiers ([a-z_][a-z0-9_]*), not user input.
  await wh.run(`set search_path = '${[...graph.project.layers.map((l) => l.name), "main"].join(",")}'`);
  const results: ModelResult[] = [];
  let failure: { model: Model; message: string } | undefined;
  const total = opts.selected.length;
  const kinds = await relationKinds(wh);
  const track = await trackedModels(wh);
  const minRows: MinRows = { merge: graph.project.mergeMinRows, changedSince: graph.project.changedSinceMinRows, keysMaxShare: graph.project.changedKeysMaxShare };
  let unflushedRows = 0;
  for (const [i, name] of opts.selected.entries()) {
    const model = graph.nodes.get(name)!.model;
    const t0 = new Date();
    const base = { name, layer: model.layer, schema: model.schema, file: model.file, materialized: model.materialized, started_at: t0.toISOString() };
    if (failure) {
      results.push({ ...base, status: "skipped", duration_s: 0, row_count: null, message: `skipped: ${failure.model.name} failed` });
      continue;
    }
    opts.onModelStart?.(model, i, total);
    let result: ModelResult;
    try {
      // the lake as this model reads it, taken before it runs (the build holds the lock: ingest cannot change it meanwhile)
      const lake = model.config.reads_changed_since && opts.lakePartitions ? lakeStateOf(model, graph.nodes.get(name)!.sources, opts.lakePartitions) : undefined;
      const { rows, note } = await runModel(wh, model, kinds.get(`${model.schema}.${model.name}`), opts.fullRefresh ?? false, { minRows, lake, log: changeLogs.logged.get(name), changeLogs, track });
      kinds.set(`${model.schema}.${model.name}`, model.materialized === "view" ? "view" : "table");
      // A replaced table's blocks are free for reuse only after a checkpoint; without one until the end of the run,
      // every table of a night went to new blocks and the file doubled (docs/performance.md, "The warehouse file").
      // A checkpoint costs about 14 ms even after a tiny table, so small tables share one: the blocks left unfreed
      // between two checkpoints hold fewer than CHECKPOINT_ROWS rows, and the build ends with one.
      if (model.materialized !== "view") {
        unflushedRows += rows ?? 0;
        if (unflushedRows >= CHECKPOINT_ROWS) {
          await wh.run("checkpoint");
          unflushedRows = 0;
        }
      }
      result = { ...base, status: "success", duration_s: (Date.now() - t0.getTime()) / 1000, row_count: rows, message: note ?? null };
    } catch (err) {
      const message = messageOf(err);
      failure = { model, message };
      result = { ...base, status: "error", duration_s: (Date.now() - t0.getTime()) / 1000, row_count: null, message };
    }
    results.push(result);
    opts.onModelEnd?.(result, i, total);
    await wh.run(
      `insert into meta.model_runs (run_id, model, layer, materialized, status, started_at, duration_s, row_count, message)
       values ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8, $9)`,
      [opts.runId, result.name, result.layer, result.materialized, result.status, result.started_at, result.duration_s, result.row_count, result.message],
    );
  }
  // the last small tables' replaced blocks, freed before the tests and the publish read the warehouse
  if (unflushedRows > 0) await wh.run("checkpoint");
  for (const r of results.filter((x) => x.status === "skipped")) {
    await wh.run(
      `insert into meta.model_runs (run_id, model, layer, materialized, status, started_at, duration_s, row_count, message)
       values ($1, $2, $3, $4, 'skipped', $5::timestamptz, 0, null, $6)`,
      [opts.runId, r.name, r.layer, r.materialized, r.started_at, r.message],
    );
  }
  const finishedAt = new Date();
  const build: BuildResult = {
    run_id: opts.runId,
    command,
    run_date: opts.runDate,
    selector: opts.selector ?? null,
    full_refresh: opts.fullRefresh ?? false,
    status: failure ? "error" : "success",
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
    duration_s: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    results,
  };
  if (recordRun) await recordRunEnd(wh, opts.runId, build.status, finishedAt, failure ? `${failure.model.name}: ${failure.message}` : null);
  if (opts.artifactsDir) writeJsonAtomic(path.join(opts.artifactsDir, "runs", opts.runId, "run_results.json"), build);
  if (failure) throw new ModelFailedError(failure.model, failure.message, build);
  return build;
}
