import { createHash } from "node:crypto";
import { UserError, quote } from "../lib/errors.ts";
import { ident, type Warehouse } from "../lib/warehouse.ts";
import type { Graph } from "./graph.ts";
import type { Model } from "./project.ts";

/**
 * Change logs: how a merge model that follows other models row for row (`changed_keys` in its .yml, e.g.
 * int_content_unioned, one row per staging content row) is computed from what they changed since its last build
 * instead of from the whole of them (README "The model runner", "Change logs").
 *
 * - A merge model read by such a model keeps a log: each time it writes, the hashes of the `changed_keys` columns
 *   of every row it deleted or inserted go to `meta.change_log` under the model's next sequence number
 *   (`meta.change_log_state.seq`). A replace that cannot list its rows (first run, `--full-refresh`, columns changed)
 *   records a reset instead (`reset_seq`): the log says nothing about what changed.
 * - The reading model records, with its table, the sequence number of each model it read (`meta.changed_keys_state`).
 *   On its next build, if none of them was reset since, it reads the hashes logged after those numbers, sets
 *   `getvariable('changed_keys')` to them, deletes its rows of those keys and inserts what its query returns. The
 *   query limits its sources to the same keys, so the rows of a key are either all recomputed or all kept.
 * - A source that is not a merge model has no log: a cache model (topic matches) counts as unchanged until it is
 *   reset (its rows for a new text follow a new content row, which the content's log names), and any other table or
 *   view is compared whole by a checksum of its rows (a few thousand rows of topic closure, say).
 * - Log entries every reader has read are deleted.
 * - A source logged by other columns than the reader's changed_keys (`changed_keys_via`: the days of a window, the
 *   accounts of an action) keeps its log by those columns; its logged keys become the reader's through the rows of
 *   the source the reader follows (`rows_of`) that a `match` names among them: one scan of that source a night.
 *
 * A hash names a key, not a row: two keys with one 64-bit hash are both recomputed, which changes nothing.
 */

export interface ChangeLogPlan {
  /** Logged model → the columns whose hash its log holds (the changed_keys of the models reading it). */
  logged: Map<string, string[]>;
  /** Model with changed_keys → what it reads: each source and how its changes are known. */
  readers: Map<string, Source[]>;
}

export interface Source {
  name: string;
  /** `schema.name`, quoted. */
  target: string;
  kind: "log" | "cache" | "checksum";
  /** A log kept by other columns than the reader's changed_keys (the reader's `changed_keys_via`): how its keys name
   *  the reader's, through the rows of another of its sources. */
  via?: { log: string[]; rowsOf: string; match: string[][] };
}

/** Which models keep a log and which read one, from the project's models (whatever a build selects). */
export function planChangeLogs(graph: Graph): ChangeLogPlan {
  const logged = new Map<string, string[]>();
  const readers = new Map<string, Source[]>();
  for (const [name, node] of graph.nodes) {
    const cols = node.model.config.changed_keys;
    if (!cols) continue;
    if (node.sources.length > 0) {
      throw new UserError(`merge model ${quote(name)} sets changed_keys but reads the lake (${node.sources.join(", ")})`, "a model reading the lake is computed from its new partitions instead (reads_changed_since)");
    }
    const vias = node.model.config.changed_keys_via ?? {};
    const sources: Source[] = [];
    for (const dep of node.dependsOn) {
      const m = graph.nodes.get(dep)!.model;
      const target = `${ident(m.schema)}.${ident(m.name)}`;
      if (m.materialized === "merge") {
        const via = vias[dep];
        const logCols = via ? via.log : cols;
        const before = logged.get(dep);
        if (before && before.join(",") !== logCols.join(",")) {
          throw new UserError(
            `models reading ${quote(dep)} disagree on the columns of its change log: [${before.join(", ")}] and [${logCols.join(", ")}] (${name})`,
            "a model's change log holds one hash per row: give every model that reads it the same changed_keys (or changed_keys_via log)",
          );
        }
        logged.set(dep, logCols);
        sources.push({ name: dep, target, kind: "log", ...(via ? { via: { log: via.log, rowsOf: via.rows_of, match: via.match } } : {}) });
      } else sources.push({ name: dep, target, kind: m.materialized === "cache" ? "cache" : "checksum" });
    }
    for (const [dep, via] of Object.entries(vias)) {
      const src = sources.find((s) => s.name === dep);
      if (!src || src.kind !== "log") {
        throw new UserError(`merge model ${quote(name)}'s changed_keys_via names ${quote(dep)}, which is not a merge model it reads`, "changed_keys_via is for merge models this model reads whose log is kept by other columns");
      }
      const rowsOf = sources.find((s) => s.name === via.rows_of);
      if (!rowsOf || rowsOf.kind !== "log" || rowsOf.via) {
        throw new UserError(
          `merge model ${quote(name)}'s changed_keys_via ${quote(dep)} reads the rows of ${quote(via.rows_of)}, which is not a merge model it reads by its changed_keys`,
          `rows_of is the source holding [${cols.join(", ")}], whose rows this model follows`,
        );
      }
    }
    readers.set(name, sources);
  }
  return { logged, readers };
}

/** The hash a log holds for a row: DuckDB's hash() of its columns `cols` (of table alias `alias`, if given). */
export const hashOf = (cols: string[], alias?: string) => `hash(${cols.map((c) => (alias ? `${alias}.${ident(c)}` : ident(c))).join(", ")})`;

/** The next sequence number of a logged model's log; a model logging for the first time starts with a reset. */
async function nextSeq(wh: Warehouse, model: string): Promise<{ seq: number; first: boolean }> {
  // (a reader starts a source's log at 0 when the source has none: from then on every write is listed)
  const row = await wh.one<{ seq: number }>("select seq from meta.change_log_state where model = $1", [model]);
  if (!row) {
    await wh.run("insert into meta.change_log_state values ($1, 1, 1, now())", [model]);
    return { seq: 1, first: true };
  }
  const seq = Number(row.seq) + 1;
  await wh.run("update meta.change_log_state set seq = $2, updated_at = now() where model = $1", [model, seq]);
  return { seq, first: false };
}

/** Log the hashes the queries give (one column `h` each) under a new sequence number; inside the writer's transaction. */
export async function logKeys(wh: Warehouse, model: string, queries: string[]): Promise<void> {
  const { seq } = await nextSeq(wh, model);
  for (const q of queries) await wh.run(`insert into meta.change_log select $1, $2::bigint, h from (${q})`, [model, seq]);
}

/**
 * Delete the rows of `target` that `rows` picks (SQL following `from <target> as __clout_t`: a `where` or a
 * `semi join`), logging their hashes and those `inserted` gives (a query with one column `h`) under one sequence
 * number. The rows are found once and deleted by rowid, so the condition is evaluated once.
 */
export async function deleteLogged(wh: Warehouse, model: string, target: string, cols: string[], rows: string, inserted: string): Promise<void> {
  const gone = ident(`__clout_gone_${model}`);
  await wh.run(`create or replace temp table ${gone} as select __clout_t.rowid as r, ${hashOf(cols, "__clout_t")} as h from ${target} as __clout_t ${rows}`);
  await logKeys(wh, model, [`select h from ${gone}`, inserted]);
  await wh.run(`delete from ${target} where rowid in (select r from ${gone})`);
  await wh.run(`drop table ${gone}`);
}

/** A write whose rows cannot be listed: readers compute themselves whole next time. */
export async function logReset(wh: Warehouse, model: string): Promise<void> {
  const { seq, first } = await nextSeq(wh, model);
  if (!first) await wh.run("update meta.change_log_state set reset_seq = $2 where model = $1", [model, seq]);
  await wh.run("delete from meta.change_log where model = $1", [model]);
}

/** What a reader's sources are now: a log's sequence number, a cache's reset time, another relation's checksum. */
export type SourcesNow = Record<string, { seq: number; reset_seq: number } | { reset_at: string } | { checksum: string } | { missing: true }>;

export async function sourcesNow(wh: Warehouse, sources: Source[]): Promise<SourcesNow> {
  const now: SourcesNow = {};
  for (const s of sources) {
    if (s.kind === "log") {
      const row = await wh.one<{ seq: number; reset_seq: number }>("select seq, reset_seq from meta.change_log_state where model = $1", [s.name]);
      now[s.name] = row ? { seq: Number(row.seq), reset_seq: Number(row.reset_seq) } : { missing: true };
    } else if (s.kind === "cache") {
      const row = await wh.one<{ r: string }>("select reset_at::varchar as r from meta.cache_models where model = $1", [s.name]);
      now[s.name] = row ? { reset_at: row.r } : { missing: true };
    } else {
      // every row's hash, xor-ed and summed (order does not matter), and the count
      const row = await wh.one<{ c: string }>(`select count(*)::varchar || ':' || coalesce(bit_xor(hash(t))::varchar, '') || ':' || coalesce(sum(hash(t))::varchar, '') as c from ${s.target} as t`);
      now[s.name] = { checksum: row!.c };
    }
  }
  return now;
}

/** A reader's definition: its SQL, key and changed_keys (an edit computes it whole). */
export function readerDefinition(model: Model): string {
  const { unique_key: key, changed_keys: changed, changed_keys_via: via } = model.config;
  // (a model without changed_keys_via hashes as it did before the option existed, so its state stays valid)
  return createHash("sha256").update(JSON.stringify({ sql: model.sql, key, changed, ...(via ? { via } : {}) })).digest("hex");
}

interface ReaderState {
  sha256: string;
  sources: SourcesNow;
}

async function readReaderState(wh: Warehouse, model: string): Promise<ReaderState | undefined> {
  const row = await wh.one<{ sha: string; s: string }>("select definition_sha256 as sha, sources_json as s from meta.changed_keys_state where model = $1", [model]);
  return row ? { sha256: row.sha, sources: JSON.parse(row.s) as SourcesNow } : undefined;
}

/**
 * Whether a reader may be computed from its sources' logs: yes when its definition is the same, no log was reset
 * and no other source changed since its last build. Then `since` holds, per logged source, the sequence number it
 * read last (entries after it are new).
 */
export async function readerPlan(wh: Warehouse, model: Model, now: SourcesNow): Promise<{ since: Record<string, number> } | { whole: string }> {
  const before = await readReaderState(wh, model.name);
  if (!before) return { whole: "no recorded change-log state" };
  if (before.sha256 !== readerDefinition(model)) return { whole: "definition changed" };
  const since: Record<string, number> = {};
  for (const [name, s] of Object.entries(now)) {
    const b = before.sources[name];
    if ("missing" in s) return { whole: `${name} has no change log yet` };
    if (b === undefined || "missing" in b) return { whole: `${name} was not read before` };
    if ("seq" in s) {
      if (!("seq" in b) || s.reset_seq > b.seq) return { whole: `${name} was replaced whole` };
      since[name] = b.seq;
    } else if ("reset_at" in s) {
      if (!("reset_at" in b) || b.reset_at !== s.reset_at) return { whole: `${name} was reset` };
    } else if (!("checksum" in b) || b.checksum !== s.checksum) return { whole: `${name} changed` };
  }
  return { since };
}

/**
 * Fill a temporary table `name` (one column `h`) with the distinct hashes of the reader's `changed_keys` logged after
 * `since`; returns how many. A source logged by other columns (`via`) adds the keys of the rows of its `rowsOf` that
 * one of its `match` expressions names among its logged keys: the actions of an account whose person changed, say.
 * Sources read through the same `rowsOf` share one scan of it.
 */
export async function changedKeys(wh: Warehouse, name: string, since: Record<string, number>, sources: Source[], cols: string[]): Promise<number> {
  const direct = sources.filter((s) => !s.via && s.name in since);
  const params = direct.flatMap((s) => [s.name, since[s.name]!]);
  const where = direct.map((_, i) => `(model = $${2 * i + 1} and seq > $${2 * i + 2}::bigint)`).join(" or ") || "false";
  await wh.run(`create or replace temp table ${name} as select distinct key_hash as h from meta.change_log where ${where}`, params);
  const vias = sources.filter((s) => s.via && s.name in since);
  for (const rowsOf of new Set(vias.map((s) => s.via!.rowsOf))) {
    const target = sources.find((s) => s.name === rowsOf)!.target;
    const temps: string[] = [];
    const named: string[] = [];
    for (const source of vias.filter((s) => s.via!.rowsOf === rowsOf)) {
      await checkMatchTypes(wh, source, target);
      const theirs = ident(`__clout_via_keys_${temps.length}`);
      temps.push(theirs);
      await wh.run(`create or replace temp table ${theirs} as select distinct key_hash as h from meta.change_log where model = $1 and seq > $2::bigint`, [source.name, since[source.name]!]);
      const n = Number((await wh.one<{ n: number }>(`select count(*)::bigint as n from ${theirs}`))?.n ?? 0);
      if (n > 0) named.push(...source.via!.match.map((m) => `hash(${m.join(", ")}) in (select h from ${theirs})`));
    }
    if (named.length > 0) {
      await wh.run(`insert into ${name} select h from (select distinct ${hashOf(cols)} as h from ${target} where ${named.join(" or ")}) except select h from ${name}`);
    }
    for (const t of temps) await wh.run(`drop table ${t}`);
  }
  const row = await wh.one<{ n: number }>(`select count(*)::bigint as n from ${name}`);
  return Number(row?.n ?? 0);
}

/**
 * A via source's keys are hashes, so a match must give the log's columns' exact types (hash(2.0::double) is not
 * hash(2::bigint), and floor() gives a double): a mismatch would name no rows, and the reader would silently keep stale
 * ones. Types must be equal, even where DuckDB happens to hash two of them alike (integer and bigint).
 */
async function checkMatchTypes(wh: Warehouse, source: Source, rowsOf: string): Promise<void> {
  const via = source.via!;
  const types = async (sql: string) => (await wh.all<{ column_type: string }>(`describe ${sql}`)).map((r) => r.column_type).join(", ");
  const want = await types(`select ${via.log.map((c) => ident(c)).join(", ")} from ${source.target}`);
  for (const m of via.match) {
    const got = await types(`select ${m.join(", ")} from ${rowsOf}`);
    if (got !== want) {
      throw new UserError(
        `changed_keys_via ${quote(source.name)}: match [${m.join(", ")}] gives (${got}), but its log's columns [${via.log.join(", ")}] are (${want})`,
        "cast each match expression to its log column's type: the log holds hashes, and hashes of different types never meet",
      );
    }
  }
}

/** Record what a reader read, with its table (inside its transaction), and drop log entries every reader has read. */
export async function recordReader(wh: Warehouse, plan: ChangeLogPlan, model: Model, now: SourcesNow): Promise<void> {
  // A source that has not written since it began to be read has no log yet: start it here, empty, so that its next
  // write is logged (otherwise a source that never changes would keep its reader whole every night).
  for (const [name, s] of Object.entries(now)) {
    if (!("missing" in s) || !(plan.readers.get(model.name) ?? []).some((x) => x.name === name && x.kind === "log")) continue;
    await wh.run("insert into meta.change_log_state values ($1, 0, 0, now())", [name]);
    now[name] = { seq: 0, reset_seq: 0 };
  }
  await wh.run("delete from meta.changed_keys_state where model = $1", [model.name]);
  await wh.run("insert into meta.changed_keys_state values ($1, $2, $3, now())", [model.name, readerDefinition(model), JSON.stringify(now)]);
  for (const s of plan.readers.get(model.name) ?? []) {
    if (s.kind !== "log") continue;
    let read = Infinity;
    for (const [reader, sources] of plan.readers) {
      if (!sources.some((x) => x.name === s.name)) continue;
      const state = reader === model.name ? { sources: now } : await readReaderState(wh, reader);
      const seen = state?.sources[s.name];
      // a reader with no state computes itself whole next time: it needs no entries
      if (seen && "seq" in seen) read = Math.min(read, seen.seq);
    }
    if (Number.isFinite(read)) await wh.run("delete from meta.change_log where model = $1 and seq <= $2::bigint", [s.name, read]);
  }
}
