import { UserError, messageOf, quote } from "../lib/errors.ts";
import { ident, literal, type Warehouse } from "../lib/warehouse.ts";
import type { Graph } from "./graph.ts";
import type { ColumnTest, ModelTest, Severity } from "./project.ts";

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

function columnTests(graph: Graph, model: string, table: string, column: string, test: ColumnTest, file: string): DataTest {
  const col = ident(column);
  const base = { models: [model], file };
  if (test === "not_null" || (typeof test === "object" && "not_null" in test)) {
    return { ...base, name: `not_null__${model}__${column}`, kind: "not_null", severity: severityOf(typeof test === "object" ? test.not_null : null), sql: `select * from ${table} where ${col} is null` };
  }
  if (test === "unique" || (typeof test === "object" && "unique" in test)) {
    return {
      ...base,
      name: `unique__${model}__${column}`,
      kind: "unique",
      severity: severityOf(typeof test === "object" ? test.unique : null),
      sql: `select ${col}, count(*) as n_rows from ${table} where ${col} is not null group by ${col} having count(*) > 1`,
    };
  }
  if ("accepted_values" in test) {
    const values = test.accepted_values.values.map((v) => (typeof v === "string" ? literal(v) : String(v))).join(", ");
    return {
      ...base,
      name: `accepted_values__${model}__${column}`,
      kind: "accepted_values",
      severity: severityOf(test.accepted_values),
      sql: `select ${col}, count(*) as n_rows from ${table} where ${col} is not null and ${col} not in (${values}) group by ${col}`,
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
      sql: `select child.${col}, count(*) as n_rows from ${table} as child where child.${col} is not null and not exists (select 1 from ${parent} as parent where parent.${ident(r.field)} = child.${col}) group by child.${col}`,
    };
  }
  const e = test.expression;
  const expr = typeof e === "string" ? e : e.expr;
  return { ...base, name: `expression__${model}__${column}`, kind: "expression", severity: severityOf(e), sql: `select * from ${table} where not coalesce((${expr}), false)` };
}

function modelTest(model: string, table: string, test: ModelTest, index: number, file: string): DataTest {
  if ("unique_combination" in test) {
    const cols = Array.isArray(test.unique_combination) ? test.unique_combination : test.unique_combination.columns;
    const list = cols.map(ident).join(", ");
    return {
      name: `unique_combination__${model}__${cols.join("__")}`,
      models: [model],
      kind: "unique_combination",
      severity: severityOf(test.unique_combination),
      file,
      sql: `select ${list}, count(*) as n_rows from ${table} group by ${list} having count(*) > 1`,
    };
  }
  const e = test.expression;
  const expr = typeof e === "string" ? e : e.expr;
  return { name: `expression__${model}__${index}`, models: [model], kind: "expression", severity: severityOf(e), file, sql: `select * from ${table} where not coalesce((${expr}), false)` };
}

/** Every data test of the project, in model build order, hand-written tests last. */
export function compileTests(graph: Graph): DataTest[] {
  const tests: DataTest[] = [];
  for (const name of graph.order) {
    const model = graph.nodes.get(name)!.model;
    const table = `${ident(model.schema)}.${ident(model.name)}`;
    const file = model.file.replace(/\.sql$/, ".yml");
    for (const [column, spec] of Object.entries(model.config.columns ?? {})) {
      for (const t of spec?.tests ?? []) tests.push(columnTests(graph, name, table, column, t, file));
    }
    (model.config.tests ?? []).forEach((t, i) => tests.push(modelTest(name, table, t, i + 1, file)));
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
  onTestEnd?: (r: TestResult, index: number, total: number) => void;
}

export async function runTests(wh: Warehouse, tests: DataTest[], opts: TestRunOptions): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const [i, t] of tests.entries()) {
    const t0 = Date.now();
    let r: TestResult;
    try {
      const count = await wh.one<{ n: number }>(`select count(*)::bigint as n from (\n${t.sql}\n) as offending`);
      const failures = Number(count?.n ?? 0);
      const sample = failures > 0 ? await wh.all(`select * from (\n${t.sql}\n) as offending limit ${opts.sampleSize ?? 5}`) : [];
      const status: TestStatus = failures === 0 ? "pass" : t.severity === "warn" ? "warn" : "fail";
      r = { name: t.name, models: t.models, kind: t.kind, severity: t.severity, file: t.file, status, failures, duration_s: (Date.now() - t0) / 1000, message: null, sample };
    } catch (err) {
      r = { name: t.name, models: t.models, kind: t.kind, severity: t.severity, file: t.file, status: "error", failures: 0, duration_s: (Date.now() - t0) / 1000, message: messageOf(err), sample: [] };
    }
    results.push(r);
    opts.onTestEnd?.(r, i, tests.length);
    await wh.run(
      `insert into meta.test_results (run_id, test_name, model, severity, status, failures, duration_s, message, sample_json)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [opts.runId, r.name, r.models.join(","), r.severity, r.status, r.failures, r.duration_s, r.message, JSON.stringify(r.sample, jsonSafe)],
    );
  }
  return results;
}

/** JSON.stringify replacer for DuckDB values (bigint, Date). */
export function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
