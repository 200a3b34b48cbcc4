import { randomUUID } from "node:crypto";
import { z } from "zod";
import { messageOf } from "./errors.ts";
import { ident, type Warehouse } from "./warehouse.ts";

/**
 * Weighted PageRank iterated in SQL, with networkx.pagerank's conventions for every graph:
 * the nodes are every src and dst; repeated (src, dst) rows add their weights (a missing weight is 1);
 * self-loops count like any edge; each node's out-weight normalises its edges; a node with no out-weight
 * (dangling) spreads its mass uniformly over all nodes of its graph; teleport (1-d)/N; start 1/N;
 * a graph has converged when sum |x_new - x| < N * tol (so on a big graph the default tol is loose:
 * at N = 1M it stops once the L1 change is below 1 — pass a smaller tol for a precise answer).
 *
 * With a `graph` column every graph is ranked on its own (its own N, dangling mass and convergence)
 * in the same iterations; a graph that has converged keeps its ranks while the others continue.
 *
 * How it stays fast (measured on 2 cores; see bench/pagerank.ts):
 * - Names are mapped to dense integer ids once. Each edge row's weight is divided by its source's
 *   out-weight once, so an iteration only multiplies and sums. Repeated rows are not merged (a 20M-group
 *   aggregate costs more than it saves): their terms simply add up in the sum.
 * - One iteration is one statement: the edges joined to the ranks (a perfect hash join: the ids are dense),
 *   summed per target (a perfect hash aggregate — an array indexed by id — once perfect_ht_threshold
 *   covers the id range), then joined to the one-row-per-node state and the per-graph constants
 *   (teleport + dangling share). A small second statement sums the change and the dangling mass per graph.
 * - Sorting the edges by target makes an iteration ~40% cheaper but costs about as much as ten of them
 *   to do, so they stay in input order.
 */

export const PagerankOptions = z.object({
  /** A table or view (`name` or `schema.name`) with columns `src`, `dst` and optionally `graph`, `weight`. */
  edges: z.string().min(1),
  /** The table to create (replaced if it exists): `graph` (when the input has one), `node`, `rank`. */
  out: z.string().min(1),
  damping: z.number().gt(0).lt(1).default(0.85),
  tol: z.number().positive().default(1e-6),
  maxIter: z.number().int().min(1).default(100),
});
export type PagerankOptions = z.input<typeof PagerankOptions> & {
  /** Called after every iteration with the largest L1 change among the graphs still iterating. */
  onIteration?: (iteration: number, err: number) => void;
};

export interface PagerankResult {
  /** Iterations run (the most any graph needed, or maxIter). */
  iterations: number;
  /** Whether every graph met its tolerance within maxIter. */
  converged: boolean;
  nodes: number;
  /** Input rows (repeated rows counted each time). */
  edges: number;
  /** Graphs ranked (1 without a `graph` column). */
  graphs: number;
  seconds: number;
}

/** `schema.table` or `table`, each part quoted. Names come from code; quoting keeps odd ones valid. */
function qualified(name: string): string {
  return name.split(".").map(ident).join(".");
}

export async function pagerank(wh: Warehouse, options: PagerankOptions): Promise<PagerankResult> {
  const started = performance.now();
  const parsed = PagerankOptions.safeParse(options);
  if (!parsed.success) {
    throw new Error(`Failed to rank ${options.edges}: ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}`);
  }
  const { damping: d, tol, maxIter } = parsed.data;
  const input = qualified(parsed.data.edges);
  const out = qualified(parsed.data.out);

  let columns: string[];
  try {
    columns = (await wh.all<{ column_name: string }>(`describe ${input}`)).map((r) => r.column_name.toLowerCase());
  } catch (err) {
    throw new Error(`Failed to rank ${parsed.data.edges}: ${messageOf(err)}`, { cause: err });
  }
  for (const c of ["src", "dst"]) {
    if (!columns.includes(c)) throw new Error(`Failed to rank ${parsed.data.edges}: no column ${c} (columns: ${columns.join(", ")})`);
  }
  const hasGraph = columns.includes("graph");
  const weight = columns.includes("weight") ? "coalesce(weight, 1)::double" : "1::double";

  const tag = randomUUID().slice(0, 8);
  const t = (name: string) => ident(`__pagerank_${tag}_${name}`);
  const [names, graphs, nodes, edges, xa, xb] = [t("names"), t("graphs"), t("nodes"), t("edges"), t("xa"), t("xb")];
  // The graph key, where there is one: a prefix for select lists, group bys and join conditions.
  const g = hasGraph ? "graph, " : "";
  const edgeRows = `(select ${g}src, dst, ${weight} as weight from ${input})`;

  // Group bys on integer keys with a small range (our ids; often the input's ids too) use an array
  // indexed by key instead of a hash table when the range fits in perfect_ht_threshold bits: raised for
  // the run (22 bits: up to 4M slots, ~150 MB per thread, only when a key range is that wide), restored after.
  const threshold = Number((await wh.one<{ v: string }>("select current_setting('perfect_ht_threshold')::varchar as v"))!.v);
  try {
    if (threshold < 22) await wh.run("set perfect_ht_threshold = 22");
    await wh.run(`create temp table ${names} as
      with sources as (
        select ${g}src as name, sum(weight) as out_weight, min(weight) as min_weight, count(*) as out_edges
        from ${edgeRows} group by all
      )
      select ${g}name, out_weight, min_weight, out_edges from sources
      union all
      select ${g}name, 0::double, null, 0 from (select ${g}dst as name from ${edgeRows} group by all) anti join sources using (${g}name)`);
    const stats = (await wh.one<{ nodes: number; edges: number; null_names: number; null_graphs: number; min_weight: number | null }>(
      `select count(*)::bigint as nodes, coalesce(sum(out_edges), 0)::bigint as edges,
         count(*) filter (where name is null)::bigint as null_names,
         ${hasGraph ? "count(*) filter (where graph is null)::bigint" : "0"} as null_graphs,
         min(min_weight)::double as min_weight
       from ${names}`,
    ))!;
    const fail = (why: string) => new Error(`Failed to rank ${parsed.data.edges}: ${why}`);
    if (stats.null_names > 0) throw fail("some edges have a null src or dst");
    if (stats.null_graphs > 0) throw fail("some edges have a null graph");
    if (stats.min_weight !== null && stats.min_weight < 0) throw fail(`weights must not be negative (found ${stats.min_weight})`);

    await wh.run(`create temp table ${graphs} as
      select (row_number() over ())::integer as g, ${g}count(*)::bigint as n,
        null::double as base, false as done, 0 as iterations, null::double as err
      from ${names} ${hasGraph ? "group by graph" : ""}`);
    await wh.run(`create temp table ${nodes} as
      select (row_number() over ())::integer as id, gr.g, ${hasGraph ? "n.graph, " : ""}n.name, n.out_weight, n.out_weight = 0 as dangling
      from ${names} n ${hasGraph ? `join ${graphs} gr using (graph)` : `cross join ${graphs} gr`}`);
    await wh.run(`drop table ${names}`);
    // A zero weight adds nothing (and a source whose weights are all zero is dangling): leave such rows out.
    const sameGraph = (alias: string) => (hasGraph ? ` and ${alias}.graph = e.graph` : "");
    await wh.run(`create temp table ${edges} as
      select s.id as src, t.id as dst, e.weight / s.out_weight as w
      from ${edgeRows} e
      join ${nodes} s on s.name = e.src${sameGraph("s")}
      join ${nodes} t on t.name = e.dst${sameGraph("t")}
      where e.weight > 0`);
    await wh.run(`create temp table ${xa} as
      select n.id, n.g, n.dangling, 1.0::double / gr.n as x, null::double as prev from ${nodes} n join ${graphs} gr using (g)`);
    await wh.run(
      `update ${graphs} set base = ((1 - $1::double) + $1::double * s.dangling_mass) / ${graphs}.n
       from (select g, coalesce(sum(x) filter (where dangling), 0) as dangling_mass from ${xa} group by g) s
       where ${graphs}.g = s.g`,
      [d],
    );

    // The group by target, too, for up to 2^24 nodes (16M; beyond that a hash table).
    const bits = Math.ceil(Math.log2(stats.nodes + 2)) + 1;
    if (bits > Math.max(threshold, 22) && bits <= 25) await wh.run(`set perfect_ht_threshold = ${bits}`);

    let iterations = 0;
    let converged = stats.nodes === 0;
    let [from, to] = [xa, xb];
    while (!converged && iterations < maxIter) {
      await wh.run(
        `create or replace temp table ${to} as
         with inflow as (
           select e.dst as id, sum(x.x * e.w) as inflow from ${edges} e join ${from} x on x.id = e.src group by e.dst
         )
         select x.id, x.g, x.dangling,
           case when gr.done then x.x else gr.base + $1::double * coalesce(f.inflow, 0) end as x,
           x.x as prev
         from ${from} x join ${graphs} gr using (g) left join inflow f using (id)`,
        [d],
      );
      const changed = await wh.all<{ err: number; done: boolean }>(
        `update ${graphs} set iterations = iterations + 1, err = s.err, done = s.err < ${graphs}.n * $2::double,
           base = ((1 - $1::double) + $1::double * s.dangling_mass) / ${graphs}.n
         from (
           select g, sum(abs(x - prev)) as err, coalesce(sum(x) filter (where dangling), 0) as dangling_mass
           from ${to} group by g
         ) s
         where ${graphs}.g = s.g and not ${graphs}.done
         returning ${graphs}.err, ${graphs}.done`,
        [d, tol],
      );
      iterations++;
      converged = changed.every((r) => r.done);
      options.onIteration?.(iterations, Math.max(...changed.map((r) => r.err)));
      [from, to] = [to, from];
    }

    await wh.run(`create or replace table ${out} as
      select ${hasGraph ? "n.graph, " : ""}n.name as node, x.x as rank from ${from} x join ${nodes} n using (id)`);
    const graphCount = await wh.one<{ n: number }>(`select count(*)::integer as n from ${graphs}`);
    return {
      iterations,
      converged,
      nodes: stats.nodes,
      edges: stats.edges,
      graphs: stats.nodes === 0 ? 0 : graphCount!.n,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (err) {
    if (err instanceof Error && err.message.startsWith("Failed to rank")) throw err;
    throw new Error(`Failed to rank ${parsed.data.edges}: ${messageOf(err)}`, { cause: err });
  } finally {
    // Best effort: inside a caller's failed transaction these fail too, and the temp tables go with the
    // connection; the error that matters is the one already on its way.
    try {
      for (const name of [names, graphs, nodes, edges, xa, xb]) await wh.run(`drop table if exists ${name}`);
      await wh.run(`set perfect_ht_threshold = ${threshold}`);
    } catch {
      // nothing more to undo
    }
  }
}
