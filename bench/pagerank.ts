/**
 * pagerank-vs-igraph: our SQL PageRank against python-igraph's (PRPACK) on the same random graph.
 *
 * The graph is power-law-ish and directed: targets are drawn with density ∝ rank^(-2/3) (a few hubs get
 * most edges), sources from 90% of the nodes (the rest are dangling), weights in [0.5, 5], with the
 * repeated edges and self-loops such a draw gives. It is written once per (edges, nodes, seed) into `dir`:
 * Parquet for us; a text edge list and raw float64 weights for igraph (its fastest load without numpy).
 *
 * Timed: ours = open an in-memory DuckDB, read the Parquet, rank (everything in `pagerank`), measured in
 * this process. igraph = load (Read_Edgelist + weights) and Graph.pagerank(weights, damping=0.85), timed
 * inside Python (interpreter start and import excluded), and reported separately in `detail`.
 * The ranks must agree to 1e-6 per node or the benchmark fails.
 *
 * Our tolerance: networkx's rule stops when the L1 change < N × tol, which at N = 1M and tol 1e-6 is
 * after one or two iterations. To compare like with like (igraph solves to ~1e-10) we ask for an L1
 * change below 1e-6 whatever N: tol = 1e-6 / N.
 *
 *   npx tsx bench/pagerank.ts [--edges 10000000] [--nodes 500000] [--seed 1] [--dir /tmp/clout-bench]
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DuckDBDoubleVector } from "@duckdb/node-api";
import { pagerank } from "../src/lib/pagerank.ts";
import { literal, Warehouse } from "../src/lib/warehouse.ts";

export interface PagerankBenchOptions {
  edges: number;
  nodes: number;
  seed: number;
  dir: string;
  threads?: number;
  memoryLimit?: string;
}

export interface PagerankBenchResult {
  ours_s: number;
  peer_s: number;
  iterations: number;
  detail: string;
}

const PYTHON = "/usr/bin/python3";

interface GraphFiles {
  parquet: string;
  edgelist: string;
  weights: string;
  nodes: number;
  edges: number;
}

/** Write the graph once; later calls with the same parameters reuse the files. */
async function writeGraph(opts: PagerankBenchOptions): Promise<GraphFiles> {
  fs.mkdirSync(opts.dir, { recursive: true });
  const base = path.join(opts.dir, `pagerank-e${opts.edges}-n${opts.nodes}-s${opts.seed}`);
  const files = { parquet: `${base}.parquet`, edgelist: `${base}.edgelist`, weights: `${base}.weights.f64`, meta: `${base}.json` };
  if (fs.existsSync(files.meta)) {
    const meta = JSON.parse(fs.readFileSync(files.meta, "utf8")) as { nodes: number; edges: number };
    return { ...files, ...meta };
  }
  const wh = await Warehouse.open({ path: ":memory:", threads: opts.threads ?? 2, memoryLimit: opts.memoryLimit ?? "8GB" });
  try {
    const [n, seed] = [Math.floor(opts.nodes), Math.floor(opts.seed)];
    // Spreads the hubs over the id range, so hubs are not just the low ids; a permutation when gcd(p, n) = 1.
    const p = [1_000_003, 999_983, 998_353].find((q) => n % q !== 0)!;
    const u = (salt: number) => `((hash(i, ${seed}, ${salt}) % 1000000007)::double / 1000000007)`;
    await wh.run(`create table raw as
      select i, floor(${0.9 * n} * pow(${u(1)}, 1.8))::bigint as s,
        (floor(${n} * pow(${u(2)}, 3))::bigint * ${p}) % ${n} as d,
        round(0.5 + 4.5 * ${u(3)}, 3)::double as weight
      from range(${Math.floor(opts.edges)}) t(i)`);
    // Dense ids 0..M-1 over the nodes that occur, so igraph's vertex ids are exactly ours.
    await wh.run(`create table ids as
      select v, (row_number() over (order by v) - 1)::bigint as id from (select s as v from raw union select d from raw)`);
    await wh.run(`create table graph as
      select a.id as src, b.id as dst, raw.weight from raw join ids a on a.v = raw.s join ids b on b.v = raw.d order by raw.i`);
    const tmp = (f: string) => `${f}.tmp-${process.pid}`;
    await wh.run(`copy graph to ${literal(tmp(files.parquet))} (format parquet)`);
    await wh.run(`copy (select src, dst from graph order by rowid) to ${literal(tmp(files.edgelist))} (format csv, header false, delimiter ' ')`);
    const count = (await wh.one<{ nodes: number; edges: number }>("select (select count(*) from ids)::bigint as nodes, count(*)::bigint as edges from graph"))!;
    const weights = new Float64Array(count.edges);
    const result = await wh.conn.stream("select weight from graph order by rowid");
    let k = 0;
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const column = chunk.getColumnVector(0) as DuckDBDoubleVector;
      for (let i = 0; i < chunk.rowCount; i++) weights[k++] = column.getItem(i)!;
    }
    fs.writeFileSync(tmp(files.weights), weights);
    for (const f of [files.parquet, files.edgelist, files.weights]) fs.renameSync(tmp(f), f);
    fs.writeFileSync(files.meta, JSON.stringify(count));
    return { ...files, ...count };
  } finally {
    wh.close();
  }
}

const IGRAPH = `
import json, sys, time
from array import array
import igraph
edgelist, weights, nodes, damping, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
t0 = time.perf_counter()
g = igraph.Graph.Read_Edgelist(edgelist, directed=True)
w = array("d")
with open(weights, "rb") as f:
    w.frombytes(f.read())
g.es["weight"] = w
if g.vcount() < nodes:
    g.add_vertices(nodes - g.vcount())
t1 = time.perf_counter()
ranks = g.pagerank(weights="weight", damping=damping)
t2 = time.perf_counter()
with open(out, "w") as f:
    f.write("node,rank\\n")
    f.write("".join(f"{i},{r!r}\\n" for i, r in enumerate(ranks)))
json.dump({"load_s": t1 - t0, "pagerank_s": t2 - t1, "version": igraph.__version__}, sys.stdout)
`;

function runIgraph(g: GraphFiles, out: string): Promise<{ load_s: number; pagerank_s: number; version: string }> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ["-c", IGRAPH, g.edgelist, g.weights, String(g.nodes), "0.85", out], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const missing = /No module named 'igraph'/.test(stderr);
        reject(new Error(missing ? "Failed to run igraph: python3-igraph is missing (apt-get install python3-igraph)" : `Failed to run igraph: ${stderr || err.message}`));
      } else resolve(JSON.parse(stdout));
    });
  });
}

export async function benchPagerank(opts: PagerankBenchOptions): Promise<PagerankBenchResult> {
  const g = await writeGraph(opts);
  const tol = 1e-6 / g.nodes;

  const t0 = performance.now();
  const ticks: number[] = [];
  const wh = await Warehouse.open({ path: ":memory:", threads: opts.threads ?? 2, memoryLimit: opts.memoryLimit ?? "8GB" });
  try {
    await wh.run(`create view bench_edges as select src, dst, weight from read_parquet(${literal(g.parquet)})`);
    const result = await pagerank(wh, { edges: "bench_edges", out: "ranks", damping: 0.85, tol, onIteration: () => ticks.push(performance.now()) });
    const ours_s = (performance.now() - t0) / 1000;

    const theirs = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clout-igraph-")), "ranks.csv");
    try {
      const peer = await runIgraph(g, theirs);
      const cmp = (await wh.one<{ n: number; max_abs: number; max_rel: number }>(
        `select count(*)::bigint as n, max(abs(o.rank - p.rank)) as max_abs, max(abs(o.rank - p.rank) / p.rank) as max_rel
         from ranks o join read_csv(${literal(theirs)}, header = true, columns = {'node': 'BIGINT', 'rank': 'DOUBLE'}) p using (node)`,
      ))!;
      if (cmp.n !== g.nodes || !(cmp.max_abs <= 1e-6)) {
        throw new Error(`Failed to benchmark pagerank: ours and igraph disagree (${cmp.n} of ${g.nodes} nodes matched, max |Δrank| ${cmp.max_abs})`);
      }
      const perIter = ticks.length > 1 ? (ticks.at(-1)! - ticks[0]!) / 1000 / (ticks.length - 1) : NaN;
      const prep = (ticks[0]! - t0) / 1000 - perIter;
      return {
        ours_s,
        peer_s: peer.load_s + peer.pagerank_s,
        iterations: result.iterations,
        detail:
          `${g.nodes} nodes, ${g.edges} edges; ours: read+prepare ${prep.toFixed(2)}s + ${result.iterations} iterations × ${perIter.toFixed(3)}s (tol ${tol.toExponential(1)}: L1 change < 1e-6)` +
          `; igraph ${peer.version}: load ${peer.load_s.toFixed(2)}s + pagerank ${peer.pagerank_s.toFixed(2)}s` +
          `; ours / igraph pagerank alone ${(ours_s / peer.pagerank_s).toFixed(2)}; max |Δrank| ${cmp.max_abs.toExponential(1)}, max relative ${cmp.max_rel.toExponential(1)}`,
      };
    } finally {
      fs.rmSync(path.dirname(theirs), { recursive: true, force: true });
    }
  } finally {
    wh.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1]! : fallback;
  };
  const opts = {
    edges: Number(arg("edges", "10000000")),
    nodes: Number(arg("nodes", "500000")),
    seed: Number(arg("seed", "1")),
    dir: arg("dir", path.join(os.tmpdir(), "clout-bench")),
  };
  const r = await benchPagerank(opts);
  console.log(JSON.stringify({ name: "pagerank-vs-igraph", ...r, ratio: r.ours_s / r.peer_s }, null, 2));
}
