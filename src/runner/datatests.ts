import { createHash } from "node:crypto";
import { UserError, messageOf, quote } from "../lib/errors.ts";
import { ident, literal, type Warehouse } from "../lib/warehouse.ts";
import { columnRefs, type Graph } from "./graph.ts";
import { PARTIAL_TESTS_WHOLE_EVERY, combinationColumns, isUniqueTest, type ColumnTest, type ModelTest, type Severity } from "./project.ts";

/**
 * Data tests. Declared ones live in a model's sidecar `.yml` (not_null, unique, unique_combination,
 * relationships, accepted_values, expression); hand-written ones are `assert_*.sql` files whose query
 * returns the offending rows. Each compiles to one query returning offending rows: zero rows passes.
 */
export interface DataTest {
  name: string;
  /** The model the test guards (declared tests), or the models a hand-written test reads. */
  models: string[];
  kind: string;
  severity: Severity;
  sql: string;
  file: string;
  /** A declared test's model when it is a view, and the test's query on any table holding that view's rows. */
  onView?: { table: string; sqlOn: (table: string) => string };
  /**
   * A uniqueness test on a merge or incremental table, or a test of each row on its own on an incremental one: the
   * same test over only the rows written since it last passed (see "Uniqueness tests after a partial write" below).
   * Run instead of `sql` when meta.test_verified says so.
   */
  written?: { model: string; sql: string };
}

export type TestStatus = "pass" | "fail" | "warn" | "error";

export interface TestResult {
  name: string;
  models: string[];
  kind: string;
  severity: Severity;
  file: string;
  status: TestStatus;
  failures: number;
  duration_s: number;
  message: string | null;
  sample: Record<string, unknown>[];
}

function qualified(graph: Graph, name: string, from: string): string {
  const bare = name.includes(".") ? name.split(".").pop()! : name;
  const model = graph.nodes.get(bare)?.model;
  if (!model) throw new UserError(`${quote(from)} declares a test against unknown model ${quote(name)}`, "fix the `to:` of the relationships test");
  return `${ident(model.schema)}.${ident(model.name)}`;
}

function severityOf(v: unknown): Severity {
  return v && typeof v === "object" && "severity" in v && (v as { severity?: Severity }).severity === "warn" ? "warn" : "error";
}

type Declared = Omit<DataTest, "sql" | "onView" | "written"> & {
  sqlOn: (table: string) => string;
  /** A uniqueness test's columns (SQL identifiers) and whether NULLs are left out of it. */
  unique?: { cols: string[]; where?: string };
  /** A test whose outcome for a row depends on that row alone: its query over only the rows `filter` (an SQL condition) admits. */
  rowLocal?: (table: string, filter: string) => string;
};

/**
 * Rows of `table` whose `cols` (an SQL column list) occur more than once, with their count. Grouping 84M rows by
 * three strings costs a hash table holding every key's strings; so first only the keys' 64-bit hashes are grouped,
 * and the exact grouping runs on the rows whose hash occurs twice or more (none, when the test passes). Equal keys
 * have equal hashes (NULLs included), so the result is exactly that of grouping by the columns.
 */
export function duplicatesSql(table: string, cols: string, where?: string): string {
  const filter = where ? ` where ${where}` : "";
  return (
    `with duplicate_hashes as (select hash(${cols}) as h from ${table}${filter} group by h having count(*) > 1) ` +
    `select ${cols}, count(*) as n_rows from ${table} where ${where ? `${where} and ` : ""}hash(${cols}) in (select h from duplicate_hashes) group by ${cols} having count(*) > 1`
  );
}

/*
 * Uniqueness tests after a partial write.
 *
 * A merge night rewrites a few keys of a table that holds every day's rows, and an incremental model writes one
 * date; a uniqueness test that groups the whole table each night costs most of the night's tests at scale (97.7 s
 * of 123.6 s at 1M people, twenty-third session). But if a table had no duplicate when its test last passed, and
 * rows have only been deleted or inserted since, any duplicate now must include an inserted row. So the test may
 * check only the values of the rows inserted since, against the whole table, and be exactly as strict.
 *
 * The record that makes this safe:
 * - meta.test_verified: the tests that passed, each with the hash of its queries (whole and partial: queriesSha256)
 *   and DuckDB's version. A test whose queries or DuckDB changed since runs whole.
 * - meta.test_written_keys: for each such table, the 64-bit hash of the written-key columns (writtenKeyColumns) of
 *   every row a partial write inserted since its tests last passed. The build logs them in the write's own
 *   transaction, and only for tables with a passed test.
 * - Any other write (a replace, a first run, --full-refresh, a change of columns or materialization) deletes the
 *   table's records in meta.test_verified, in the write's transaction or just before it, so its tests run whole
 *   next time.
 * A failing test loses its record (it runs whole until it passes again). After the table's tests ran, its written
 * keys are cleared. `clout test --full` (`clout nightly --full-tests`) runs every test whole.
 * A row written outside the build (an analyst's `insert`, a table swapped by hand) is in no log, so each such test
 * still checks every row on every n-th run (sql/project.yml `partial_tests_whole_every`, 7: once a week of nights);
 * meta.test_verified.partial_runs counts the runs since it last did.
 *
 * Tests of each row on its own on an incremental model. An incremental model (the marts: one score date a night)
 * keeps every date it ever wrote, so a not_null, accepted_values or expression test on it reads a history that grows
 * by a date every night (at 240k people, 30 more score dates took the marts' tests in a night from 2.1 s to 15.8 s).
 * If every row passed such a test when it last passed, a row failing it now must have been inserted since (its
 * outcome depends on it alone), and all of an incremental model's inserted rows carry a date the build logged: the
 * test reads only the logged dates' rows. An expression is taken to be about its row alone unless it names a
 * subquery, a window, or a function whose value changes between runs (now(), current_date, random(), getvariable(),
 * ...): rowLocalExpression.
 * A merge model's row tests stay whole: finding its written keys reads the key of every row, which costs about
 * what the test does. For an incremental model the build also logs the written date itself (key_date), and the
 * tests filter on it, so DuckDB reads only the row groups holding that date.
 */

/** The columns whose hash identifies the rows a partial write of `model` inserted: a merge's key, an incremental model's date; none for other materializations. */
export function writtenKeyColumns(model: { materialized: string; config: { unique_key?: string[] | undefined }; dateColumn: string | undefined }): string[] | undefined {
  if (model.materialized === "merge") return model.config.unique_key;
  if (model.materialized === "incremental" && model.dateColumn) return [model.dateColumn];
  return undefined;
}

/**
 * The SQL condition admitting the rows of `model` written since its tests last passed: an incremental model's rows of
 * the logged dates (`dateColumn`), a merge model's rows whose written-key hash was logged (`keyCols`, SQL identifiers).
 */
export function writtenFilter(model: string, keyCols: string[], dateColumn: string | undefined): string {
  if (dateColumn) return `${ident(dateColumn)} in (select key_date from meta.test_written_keys where model = ${literal(model)})`;
  return `hash(${keyCols.join(", ")}) in (select key_hash from meta.test_written_keys where model = ${literal(model)})`;
}

/**
 * Whether a test expression's value for a row depends on that row alone: no subquery, no window, and none of the
 * functions whose value changes between runs. Conservative: a word that only looks like one (a column named `now`)
 * makes the test run whole, which costs time, never a missed row.
 */
export function rowLocalExpression(expr: string): boolean {
  return !/\b(select|over|now|today|current_\w+|get_current_\w+|transaction_timestamp|random|uuid|gen_random_uuid|getvariable|current_setting|nextval|currval|setseed)\b/i.test(expr);
}

/**
 * `duplicatesSql` over the rows whose values occur in a row written since the test last passed (`written`, a
 * writtenFilter). When the test's columns include every written-key column, rows with equal values have equal
 * written keys, so one pass over the written rows suffices; otherwise the written rows' values are collected first
 * and the table searched for them.
 */
export function writtenDuplicatesSql(table: string, written: string, cols: string[], keyCols: string[], where?: string): string {
  const list = cols.join(", ");
  const filter = where ? `${where} and ` : "";
  const group = ` group by ${list} having count(*) > 1`;
  if (keyCols.every((k) => cols.includes(k))) return `select ${list}, count(*) as n_rows from ${table} where ${filter}${written}${group}`;
  return `select ${list}, count(*) as n_rows from ${table} where ${filter}hash(${list}) in (select hash(${list}) from ${table} where ${written})${group}`;
}

function columnTests(graph: Graph, model: string, column: string, test: ColumnTest, file: string): Declared {
  const col = ident(column);
  const base = { models: [model], file };
  if (test === "not_null" || (typeof test === "object" && "not_null" in test)) {
    const rows = (table: string, filter?: string) => `select * from ${table} where ${col} is null${filter ? ` and ${filter}` : ""}`;
    return { ...base, name: `not_null__${model}__${column}`, kind: "not_null", severity: severityOf(typeof test === "object" ? test.not_null : null), sqlOn: (table) => rows(table), rowLocal: rows };
  }
  if (isUniqueTest(test)) {
    return {
      ...base,
      name: `unique__${model}__${column}`,
      kind: "unique",
      severity: severityOf(typeof test === "object" ? test.unique : null),
      sqlOn: (table) => duplicatesSql(table, col, `${col} is not null`),
      unique: { cols: [col], where: `${col} is not null` },
    };
  }
  if ("accepted_values" in test) {
    const values = test.accepted_values.values.map((v) => (typeof v === "string" ? literal(v) : String(v))).join(", ");
    const rows = (table: string, filter?: string) =>
      `select ${col}, count(*) as n_rows from ${table} where ${col} is not null and ${col} not in (${values})${filter ? ` and ${filter}` : ""} group by ${col}`;
    return {
      ...base,
      name: `accepted_values__${model}__${column}`,
      kind: "accepted_values",
      severity: severityOf(test.accepted_values),
      sqlOn: (table) => rows(table),
      rowLocal: rows,
    };
  }
  if ("relationships" in test) {
    const r = test.relationships;
    const parent = qualified(graph, r.to, file);
    return {
      ...base,
      name: `relationships__${model}__${column}__${r.to.split(".").pop()}`,
      kind: "relationships",
      severity: severityOf(r),
      sqlOn: (table) => `select child.${col}, count(*) as n_rows from ${table} as child where child.${col} is not null and not exists (select 1 from ${parent} as parent where parent.${ident(r.field)} = child.${col}) group by child.${col}`,
    };
  }
  const e = test.expression;
  const expr = typeof e === "string" ? e : e.expr;
  return { ...base, name: `expression__${model}__${column}`, kind: "expression", severity: severityOf(e), ...expressionSql(expr) };
}

/** An expression test's query, and its form over some rows only when the expression is about its row alone. */
function expressionSql(expr: string): Pick<Declared, "sqlOn" | "rowLocal"> {
  const rows = (table: string, filter?: string) => `select * from ${table} where ${filter ? `${filter} and ` : ""}not coalesce((${expr}), false)`;
  return { sqlOn: (table) => rows(table), ...(rowLocalExpression(expr) ? { rowLocal: rows } : {}) };
}

function modelTest(model: string, test: ModelTest, index: number, file: string): Declared {
  if ("unique_combination" in test) {
    const cols = combinationColumns(test.unique_combination);
    const list = cols.map(ident).join(", ");
    return {
      name: `unique_combination__${model}__${cols.join("__")}`,
      models: [model],
      kind: "unique_combination",
      severity: severityOf(test.unique_combination),
      file,
      sqlOn: (table) => duplicatesSql(table, list),
      unique: { cols: cols.map(ident) },
    };
  }
  const e = test.expression;
  const expr = typeof e === "string" ? e : e.expr;
  return { name: `expression__${model}__${index}`, models: [model], kind: "expression", severity: severityOf(e), file, ...expressionSql(expr) };
}

/** Every data test of the project, in model build order, hand-written tests last. */
export function compileTests(graph: Graph): DataTest[] {
  const tests: DataTest[] = [];
  for (const name of graph.order) {
    const model = graph.nodes.get(name)!.model;
    const table = `${ident(model.schema)}.${ident(model.name)}`;
    const file = model.file.replace(/\.sql$/, ".yml");
    const declared: Declared[] = [];
    for (const [column, spec] of Object.entries(model.config.columns ?? {})) {
      for (const t of spec?.tests ?? []) declared.push(columnTests(graph, name, column, t, file));
    }
    (model.config.tests ?? []).forEach((t, i) => declared.push(modelTest(name, t, i + 1, file)));
    const keyCols = writtenKeyColumns(model)?.map(ident);
    const incremental = model.materialized === "incremental" ? model.dateColumn : undefined;
    const inWritten = keyCols ? writtenFilter(name, keyCols, incremental) : undefined;
    for (const { sqlOn, unique, rowLocal, ...t } of declared) {
      const partialSql =
        !keyCols || !inWritten
          ? undefined
          : unique
            ? writtenDuplicatesSql(table, inWritten, unique.cols, keyCols, unique.where)
            : rowLocal && incremental
              ? rowLocal(table, inWritten)
              : undefined;
      const written = partialSql ? { model: name, sql: partialSql } : undefined;
      tests.push({ ...t, sql: sqlOn(table), ...(model.materialized === "view" ? { onView: { table, sqlOn } } : {}), ...(written ? { written } : {}) });
    }
  }
  for (const t of graph.project.sqlTests) {
    tests.push({ name: t.name, models: graph.testDeps.get(t.name) ?? [], kind: "sql", severity: t.severity, sql: t.sql, file: t.file });
  }
  const seen = new Map<string, number>();
  for (const t of tests) {
    const n = (seen.get(t.name) ?? 0) + 1;
    seen.set(t.name, n);
    if (n > 1) t.name = `${t.name}__${n}`;
  }
  return tests;
}

/** Tests touching any of the selected models (all tests when `selected` is undefined). */
export function selectTests(tests: DataTest[], selected: string[] | undefined): DataTest[] {
  if (!selected) return tests;
  const set = new Set(selected);
  return tests.filter((t) => t.models.some((m) => set.has(m)));
}

export interface TestRunOptions {
  runId: string;
  sampleSize?: number;
  /** Run every test over the whole table, even one that could check only the rows written since it last passed. */
  full?: boolean;
  /** A test that could check only the written rows checks every row on every n-th run (project.yml `partial_tests_whole_every`; default PARTIAL_TESTS_WHOLE_EVERY). */
  wholeEvery?: number;
  onTestEnd?: (r: TestResult, index: number, total: number) => void;
}

/**
 * A view is a query, so every test on it would run the view again: at 1M people a test on
 * stg_identities__links took about a minute, every one of them. A view with two or more of the selected
 * tests is therefore copied once into a temporary table, its tests run on that copy, and the copy dropped
 * after its last test. The copy holds only the columns those tests name (columnsUsed): at 1M people copying
 * int_engagements_weighted's 15 columns took 50–62 s, its 5 tested ones 21–24 s. A failing test's sample rows
 * therefore show the tested columns, not every column of the view. If the copy cannot be made, its tests run on
 * the view and report the error each.
 */
const SUBJECT = "temp.main.clout_test_subject";

/**
 * The columns of `columns` (a view's, in its order) that the SQL texts reference, as DuckDB's parser reads them
 * (columnRefs), compared without case as DuckDB resolves them. A name that only looks like one of the view's columns
 * (a table alias, a field of the parent table) adds that column needlessly, never drops one; SQL referencing none,
 * or that DuckDB cannot parse, gives all of them.
 */
export async function columnsUsed(wh: Warehouse, sqls: string[], columns: string[]): Promise<string[]> {
  const names = new Set<string>();
  for (const sql of sqls) {
    const refs = await columnRefs(wh, sql);
    if (refs === null) return columns;
    for (const n of refs) names.add(n.toLowerCase());
  }
  const used = columns.filter((c) => names.has(c.toLowerCase()));
  return used.length > 0 ? used : columns;
}

/** The copy of a view for its tests: the columns the selected tests on it name. */
async function copyForTests(wh: Warehouse, view: string, tests: DataTest[]): Promise<void> {
  const columns = (await wh.all<{ column_name: string }>(`describe ${view}`)).map((r) => r.column_name);
  const used = await columnsUsed(
    wh,
    tests.flatMap((t) => (t.onView?.table === view ? [t.onView.sqlOn(SUBJECT)] : [])),
    columns,
  );
  await wh.run(`create or replace temp table ${SUBJECT} as select ${used.map(ident).join(", ")} from ${view}`);
}

export async function runTests(wh: Warehouse, tests: DataTest[], opts: TestRunOptions): Promise<TestResult[]> {
  const results: TestResult[] = [];
  const version = (await wh.one<{ v: string }>("select version() as v"))!.v;
  const verified = new Map<string, { sha256: string; version: string; partialRuns: number }>();
  const written = new Map<string, number>();
  const ranPartial = new Set<string>();
  if (!opts.full) {
    const rows = await wh.all<{ test_name: string; sql_sha256: string; duckdb_version: string; partial_runs: number }>("select test_name, sql_sha256, duckdb_version, partial_runs from meta.test_verified");
    for (const r of rows) verified.set(r.test_name, { sha256: r.sql_sha256, version: r.duckdb_version, partialRuns: Number(r.partial_runs) });
    for (const r of await wh.all<{ model: string; n: number }>("select model, count(*)::bigint as n from meta.test_written_keys group by model")) written.set(r.model, Number(r.n));
  }
  const left = new Map<string, number>();
  for (const t of tests) if (t.onView) left.set(t.onView.table, (left.get(t.onView.table) ?? 0) + 1);
  let copied: string | undefined;
  try {
    for (const [i, t] of tests.entries()) {
      const t0 = Date.now();
      let sql = t.sql;
      const view = t.onView;
      if (view && (left.get(view.table) ?? 0) >= 2 && copied !== view.table) {
        if (copied) await wh.run(`drop table if exists ${SUBJECT}`);
        copied = undefined;
        try {
          await copyForTests(wh, view.table, tests);
          copied = view.table;
        } catch {
          // each test on the view runs it and reports what went wrong
          left.set(view.table, 0);
        }
      }
      if (view && copied === view.table) sql = view.sqlOn(SUBJECT);
      const v = verified.get(t.name);
      // the test passed on this table with this query and this DuckDB, and has not reached its run that checks every row
      const current = v !== undefined && v.sha256 === queriesSha256(t) && v.version === version && v.partialRuns + 1 < (opts.wholeEvery ?? PARTIAL_TESTS_WHOLE_EVERY);
      const partial = current ? t.written : undefined;
      if (partial) {
        sql = partial.sql;
        ranPartial.add(t.name);
      }
      const r = await runOne(wh, t, sql, t0, opts);
      if (partial && r.status !== "error") {
        const n = written.get(partial.model) ?? 0;
        r.message = `checked ${n.toLocaleString("en-US")} written key${n === 1 ? "" : "s"}, not every row; --full checks every row`;
      }
      results.push(r);
      opts.onTestEnd?.(results.at(-1)!, i, tests.length);
      if (view && copied === view.table) {
        const n = left.get(view.table)! - 1;
        left.set(view.table, n);
        if (n === 0) {
          await wh.run(`drop table if exists ${SUBJECT}`);
          copied = undefined;
        }
      }
    }
  } finally {
    if (copied) await wh.run(`drop table if exists ${SUBJECT}`);
  }
  await recordResults(wh, opts.runId, results);
  await recordVerified(wh, tests, results, version, verified, ranPartial);
  return results;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * What a verified record's hash covers: the test's query and its form over the written rows. A change in either
 * (a new test, or a new way of finding the written rows, such as the written dates that replaced their hashes for
 * incremental models, with keys logged before it lacking them) makes the test run whole once.
 */
function queriesSha256(t: DataTest): string {
  return sha256(t.written ? `${t.sql}\n${t.written.sql}` : t.sql);
}

/**
 * After a test run: a test with a partial form that passed is recorded as verified, one that did not loses its
 * record (it runs whole next time). Either way the keys written to its table so far are needed no more: the tests
 * are selected by model, so every test of that table ran and holds on it as it is, or will run whole.
 */
async function recordVerified(
  wh: Warehouse,
  tests: DataTest[],
  results: TestResult[],
  version: string,
  before: Map<string, { partialRuns: number }>,
  ranPartial: Set<string>,
): Promise<void> {
  const byName = new Map(results.map((r) => [r.name, r]));
  const partial = tests.filter((t) => t.written);
  if (partial.length === 0) return;
  const passed = partial.filter((t) => byName.get(t.name)?.status === "pass");
  const models = [...new Set(partial.map((t) => t.written!.model))];
  // three statements, whatever the number of tests
  await wh.transaction(async () => {
    await wh.run(`delete from meta.test_verified where test_name in ${paramRows(1, partial.length)}`, partial.map((t) => t.name));
    if (passed.length > 0) {
      await wh.run(
        `insert into meta.test_verified values ${paramRows(passed.length, 5, ", now()")}`,
        // how many runs in a row checked only the written rows (0: this one checked every row)
        passed.flatMap((t) => [t.name, t.written!.model, queriesSha256(t), version, ranPartial.has(t.name) ? (before.get(t.name)?.partialRuns ?? 0) + 1 : 0]),
      );
    }
    await wh.run(`delete from meta.test_written_keys where model in ${paramRows(1, models.length)}`, models);
  });
}

async function runOne(wh: Warehouse, t: DataTest, sql: string, t0: number, opts: TestRunOptions): Promise<TestResult> {
  let r: TestResult;
  try {
    const count = await wh.one<{ n: number }>(`select count(*)::bigint as n from (\n${sql}\n) as offending`);
    const failures = Number(count?.n ?? 0);
    const sample = failures > 0 ? await wh.all(`select * from (\n${sql}\n) as offending limit ${opts.sampleSize ?? 5}`) : [];
    const status: TestStatus = failures === 0 ? "pass" : t.severity === "warn" ? "warn" : "fail";
    r = { name: t.name, models: t.models, kind: t.kind, severity: t.severity, file: t.file, status, failures, duration_s: (Date.now() - t0) / 1000, message: null, sample };
  } catch (err) {
    r = { name: t.name, models: t.models, kind: t.kind, severity: t.severity, file: t.file, status: "error", failures: 0, duration_s: (Date.now() - t0) / 1000, message: messageOf(err), sample: [] };
  }
  return r;
}

/**
 * Record results in `meta.test_results`, a hundred rows a statement: one insert per test cost 3.3 ms each (its own
 * commit), 1.3 s of a 500-person world's 2.8-second test stage.
 */
async function recordResults(wh: Warehouse, runId: string, results: TestResult[]): Promise<void> {
  const COLUMNS = 9;
  for (let i = 0; i < results.length; i += 100) {
    const chunk = results.slice(i, i + 100);
    await wh.run(
      `insert into meta.test_results (run_id, test_name, model, severity, status, failures, duration_s, message, sample_json) values ${paramRows(chunk.length, COLUMNS)}`,
      chunk.flatMap((r) => [runId, r.name, r.models.join(","), r.severity, r.status, r.failures, r.duration_s, r.message, JSON.stringify(r.sample, jsonSafe)]),
    );
  }
}

/** `rows` groups of `width` parameters, `($1, $2), ($3, $4)`, each ending with `tail`: a multi-row insert's values, or (one row) an IN list. */
function paramRows(rows: number, width: number, tail = ""): string {
  return Array.from({ length: rows }, (_, i) => `(${Array.from({ length: width }, (_, k) => `$${i * width + k + 1}`).join(", ")}${tail})`).join(", ");
}

/** JSON.stringify replacer for DuckDB values (bigint, Date). */
export function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
