import { UserError, quote } from "../lib/errors.ts";
import type { Warehouse } from "../lib/warehouse.ts";
import type { Model, Project, SqlTest } from "./project.ts";

/**
 * Dependencies are read from the SQL itself: DuckDB's `json_serialize_sql` gives the parse tree, and every
 * `BASE_TABLE` in it is a table the model reads. A reference `<layer>.<name>` must be a model of that layer;
 * an unqualified name must be a CTE of the query or a model; any other schema (`raw`, `meta`) is a source
 * outside the project. So a model is plain SQL that runs as it is in any DuckDB holding these schemas.
 */
export interface TableRef {
  schema: string;
  name: string;
}

export interface Node {
  model: Model;
  dependsOn: string[];
  sources: string[];
}

export interface Graph {
  project: Project;
  nodes: Map<string, Node>;
  /** Model names in a valid build order (dependencies first; ties by layer, then name). */
  order: string[];
  testDeps: Map<string, string[]>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function collect(tree: Json, refs: TableRef[], ctes: Set<string>): void {
  if (Array.isArray(tree)) {
    for (const t of tree) collect(t, refs, ctes);
    return;
  }
  if (tree === null || typeof tree !== "object") return;
  if (tree.type === "BASE_TABLE" && typeof tree.table_name === "string") {
    refs.push({ schema: String(tree.schema_name ?? ""), name: tree.table_name });
  }
  const cteMap = tree.cte_map as { map?: { key: string }[] } | undefined;
  if (cteMap && Array.isArray(cteMap.map)) for (const e of cteMap.map) ctes.add(e.key);
  for (const v of Object.values(tree)) if (v !== null && typeof v === "object") collect(v, refs, ctes);
}

/** DuckDB's parse tree of `sql` (json_serialize_sql): its statements, or the parser's error. */
async function parseSql(wh: Warehouse, sql: string): Promise<{ error: boolean; error_message?: string; statements?: Json[] }> {
  const row = await wh.one<{ j: string }>("select json_serialize_sql($1::varchar) as j", [sql]);
  return JSON.parse(row!.j) as { error: boolean; error_message?: string; statements?: Json[] };
}

function collectColumns(tree: Json, names: Set<string>): void {
  if (Array.isArray(tree)) {
    for (const t of tree) collectColumns(t, names);
    return;
  }
  if (tree === null || typeof tree !== "object") return;
  if (tree.class === "COLUMN_REF" && Array.isArray(tree.column_names)) for (const n of tree.column_names) names.add(String(n));
  for (const v of Object.values(tree)) if (v !== null && typeof v === "object") collectColumns(v, names);
}

/**
 * Every name in the column references of one SELECT, as DuckDB's parser reads them (`child.kind` gives `child` and
 * `kind`; `*` gives none); null when DuckDB cannot parse it.
 */
export async function columnRefs(wh: Warehouse, sql: string): Promise<string[] | null> {
  const tree = await parseSql(wh, sql);
  if (tree.error || !tree.statements) return null;
  const names = new Set<string>();
  collectColumns(tree.statements, names);
  return [...names];
}

/** Parse one SELECT with DuckDB and return the tables it reads (CTE names removed). */
export async function tableRefs(wh: Warehouse, sql: string, file: string): Promise<TableRef[]> {
  const tree = await parseSql(wh, sql);
  if (tree.error) {
    throw new UserError(`cannot parse ${quote(file)}: ${tree.error_message}`, "a model is one SELECT statement (CTEs allowed) in DuckDB SQL");
  }
  if (!tree.statements || tree.statements.length !== 1) {
    throw new UserError(`${quote(file)} holds ${tree.statements?.length ?? 0} statements`, "a model is exactly one SELECT statement");
  }
  const refs: TableRef[] = [];
  const ctes = new Set<string>();
  collect(tree.statements, refs, ctes);
  const seen = new Set<string>();
  return refs.filter((r) => {
    if (r.schema === "" && ctes.has(r.name)) return false;
    const k = `${r.schema}.${r.name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function resolveRefs(project: Project, refs: TableRef[], file: string): { deps: string[]; sources: string[] } {
  const layers = new Set(project.layers.map((l) => l.name));
  const deps: string[] = [];
  const sources: string[] = [];
  for (const ref of refs) {
    const target = project.models.get(ref.name);
    if (ref.schema === "") {
      if (target) deps.push(target.name);
      else if (/[./]/.test(ref.name)) sources.push(ref.name);
      else throw new UserError(`${quote(file)} references ${quote(ref.name)}, which is not a model`, `add sql/<layer>/${ref.name}.sql, or qualify a source table as raw.${ref.name}`);
    } else if (target && target.schema === ref.schema) {
      deps.push(target.name);
    } else if (target) {
      throw new UserError(`${quote(file)} references ${quote(`${ref.schema}.${ref.name}`)} but that model is in schema ${quote(target.schema)}`, `write ${target.schema}.${ref.name}`);
    } else if (layers.has(ref.schema)) {
      throw new UserError(`${quote(file)} references missing model ${quote(`${ref.schema}.${ref.name}`)}`, `create sql/${ref.schema}/${ref.name}.sql or fix the reference`);
    } else {
      sources.push(`${ref.schema}.${ref.name}`);
    }
  }
  return { deps: [...new Set(deps)].sort(), sources: [...new Set(sources)].sort() };
}

/** Build the dependency graph of a project; refuses missing models and cycles. */
export async function buildGraph(project: Project, wh: Warehouse): Promise<Graph> {
  const nodes = new Map<string, Node>();
  for (const model of project.models.values()) {
    const refs = await tableRefs(wh, model.sql, model.file);
    const { deps, sources } = resolveRefs(project, refs, model.file);
    // A cache model reads its own previous rows: that is state, not a dependency.
    const dependsOn = model.materialized === "cache" ? deps.filter((d) => d !== model.name) : deps;
    // The runner knows what changed only in the lake: a model computed from the new partitions must read nothing else.
    const other = [...deps, ...sources.filter((s) => !s.startsWith("raw."))];
    if (model.config.reads_changed_since && other.length > 0) {
      throw new UserError(
        `merge model ${quote(model.name)} sets reads_changed_since but reads ${other.map(quote).join(", ")}, which is not the lake`,
        "only a model that reads nothing but raw.* sources can be computed from the new partitions; remove reads_changed_since",
      );
    }
    nodes.set(model.name, { model, dependsOn, sources });
  }
  const testDeps = new Map<string, string[]>();
  for (const t of project.sqlTests) {
    testDeps.set(t.name, resolveRefs(project, await tableRefs(wh, t.sql, t.file), t.file).deps);
  }
  return { project, nodes, order: topoOrder(project, nodes), testDeps };
}

function topoOrder(project: Project, nodes: Map<string, Node>): string[] {
  const layerIndex = new Map(project.layers.map((l, i) => [l.name, i]));
  const rank = (n: string) => {
    const m = nodes.get(n)!.model;
    return [layerIndex.get(m.layer) ?? 0, m.name] as const;
  };
  const cmp = (a: string, b: string) => {
    const [la, na] = rank(a);
    const [lb, nb] = rank(b);
    return la - lb || na.localeCompare(nb);
  };
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [name, node] of nodes) {
    indegree.set(name, node.dependsOn.filter((d) => d !== name).length);
    if (node.dependsOn.includes(name)) throw new UserError(`cycle in models: ${name} → ${name}`, `${nodes.get(name)!.model.file} reads its own table; only a \`materialized: cache\` model may (README.md, "The model runner")`);
    for (const d of node.dependsOn) dependents.set(d, [...(dependents.get(d) ?? []), name]);
  }
  const ready = [...nodes.keys()].filter((n) => indegree.get(n) === 0).sort(cmp);
  const order: string[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    order.push(n);
    for (const d of dependents.get(n) ?? []) {
      indegree.set(d, indegree.get(d)! - 1);
      if (indegree.get(d) === 0) {
        ready.push(d);
        ready.sort(cmp);
      }
    }
  }
  if (order.length < nodes.size) {
    const cycle = findCycle(nodes, new Set(order));
    throw new UserError(`cycle in models: ${cycle.join(" → ")}`, "a model cannot depend, directly or not, on itself; break the loop");
  }
  return order;
}

function findCycle(nodes: Map<string, Node>, done: Set<string>): string[] {
  const state = new Map<string, "open" | "closed">();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, "open");
    stack.push(n);
    for (const d of [...nodes.get(n)!.dependsOn].sort()) {
      if (done.has(d)) continue;
      if (state.get(d) === "open") return [...stack.slice(stack.indexOf(d)), d];
      if (!state.has(d)) {
        const c = visit(d);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, "closed");
    return undefined;
  };
  for (const n of [...nodes.keys()].sort()) {
    if (done.has(n) || state.has(n)) continue;
    const c = visit(n);
    // visit follows "depends on" edges; print the cycle in build direction (dependency first).
    if (c) return c.reverse();
  }
  return [];
}

/**
 * Selection: space- or comma-separated terms, their union. `name` one model; `name+` it and everything
 * downstream; `+name` it and everything upstream; `+name+` both; `layer:<layer>` every model of a layer.
 * Returns names in build order.
 */
export function select(graph: Graph, selector: string | undefined): string[] {
  if (!selector || selector.trim() === "") return [...graph.order];
  const chosen = new Set<string>();
  const up = (n: string, acc: Set<string>) => {
    for (const d of graph.nodes.get(n)!.dependsOn) if (!acc.has(d)) (acc.add(d), up(d, acc));
  };
  const downstream = new Map<string, string[]>();
  for (const [n, node] of graph.nodes) for (const d of node.dependsOn) downstream.set(d, [...(downstream.get(d) ?? []), n]);
  const down = (n: string, acc: Set<string>) => {
    for (const d of downstream.get(n) ?? []) if (!acc.has(d)) (acc.add(d), down(d, acc));
  };
  for (const term of selector.split(/[\s,]+/).filter(Boolean)) {
    const layer = /^layer:(.+)$/.exec(term);
    if (layer) {
      const name = layer[1]!;
      if (!graph.project.layers.some((l) => l.name === name)) {
        throw new UserError(`unknown layer ${quote(name)} in --select`, `layers: ${graph.project.layers.map((l) => l.name).join(", ")}`);
      }
      for (const node of graph.nodes.values()) if (node.model.layer === name) chosen.add(node.model.name);
      continue;
    }
    const m = /^(\+?)([a-z_][a-z0-9_]*)(\+?)$/.exec(term);
    if (!m) throw new UserError(`cannot read selector ${quote(term)}`, "use model, model+, +model, +model+ or layer:<layer>");
    const [, plusBefore, name, plusAfter] = m as unknown as [string, string, string, string];
    if (!graph.nodes.has(name)) {
      throw new UserError(`no model named ${quote(name)} in --select`, suggest(name, [...graph.nodes.keys()]));
    }
    chosen.add(name);
    if (plusBefore) up(name, chosen);
    if (plusAfter) down(name, chosen);
  }
  return graph.order.filter((n) => chosen.has(n));
}

function suggest(name: string, names: string[]): string {
  const close = names
    .map((n) => ({ n, d: distance(name, n) }))
    .sort((a, b) => a.d - b.d)
    .filter((x) => x.d <= Math.max(3, name.length / 3))[0];
  return close ? `did you mean ${quote(close.n)}? (\`clout build --list\` shows every model)` : "`clout build --list` shows every model";
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i]![j] = Math.min(dp[i - 1]![j]! + 1, dp[i]![j - 1]! + 1, dp[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length]![b.length]!;
}

export type { SqlTest };
