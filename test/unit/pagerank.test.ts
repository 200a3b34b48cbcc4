import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pagerank, type PagerankResult } from "../../src/lib/pagerank.ts";
import { literal, Warehouse } from "../../src/lib/warehouse.ts";
import { runCli } from "../helpers/cli.ts";
import { NETWORKX_MISSING, networkxAvailable, networkxPagerank, SYSTEM_PYTHON, type Edge } from "../helpers/networkx.ts";
import { memoryWarehouse, tempDir } from "../helpers/warehouse.ts";

// --- graphs -------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so every run ranks the same graphs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random directed weighted graph with everything networkx has a convention for: repeated edges
 * (weights add), self-loops, missing weights (1), zero weights, nodes that only receive (dangling), a node
 * whose only out-edge weighs 0 (dangling too), and a separate component.
 */
function randomGraph(seed: number, nodes = 60, edges = 300): Edge[] {
  const rand = prng(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const out: Edge[] = [];
  for (let i = 0; i < edges; i++) {
    // Sources among the first 80% of nodes only: the rest are dangling.
    const src = `n${pick(Math.floor(nodes * 0.8))}`;
    const dst = `n${Math.floor(nodes * rand() ** 2)}`;
    const r = rand();
    out.push(r < 0.1 ? { src, dst } : r < 0.14 ? { src, dst, weight: 0 } : { src, dst, weight: Math.round(rand() * 5000) / 1000 + 0.001 });
  }
  for (let i = 0; i < 20; i++) out.push({ ...out[pick(out.length)]!, weight: Math.round(rand() * 3000) / 1000 });
  for (let i = 0; i < 5; i++) {
    const n = `n${pick(nodes)}`;
    out.push({ src: n, dst: n, weight: 1 + pick(4) });
  }
  out.push({ src: "z0", dst: "n1", weight: 0 });
  out.push({ src: "c0", dst: "c1", weight: 2 }, { src: "c1", dst: "c2" }, { src: "c2", dst: "c0", weight: 0.5 }, { src: "c3", dst: "c0" });
  return out;
}

const SINGLE_EDGE: Edge[] = [{ src: "a", dst: "b" }];
const STAR: Edge[] = [
  ...Array.from({ length: 30 }, (_, i) => ({ src: "hub", dst: `leaf${i}`, weight: 1 + (i % 3) })),
  ...Array.from({ length: 10 }, (_, i) => ({ src: `fan${i}`, dst: "hub" })),
];
/** Ids beyond 2^53, 2^63 and 2^64: they must stay text end to end. */
const BIG_IDS: Edge[] = [
  { src: "18446744073709551615", dst: "9223372036854775808", weight: 3 },
  { src: "9223372036854775808", dst: "9007199254740993", weight: 1 },
  { src: "9007199254740993", dst: "9007199254740992", weight: 2 },
  { src: "9007199254740992", dst: "18446744073709551615" },
  { src: "340282366920938463463374607431768211457", dst: "9007199254740993", weight: 0.25 },
  { src: "9223372036854775807", dst: "9223372036854775807", weight: 5 },
  { src: "9223372036854775807", dst: "18446744073709551615" },
];

const GRAPHS: Record<string, Edge[]> = {
  "random graph (seed 1)": randomGraph(1),
  "random graph (seed 2, 200 nodes)": randomGraph(2, 200, 1500),
  "single edge": SINGLE_EDGE,
  star: STAR,
  "big-integer ids": BIG_IDS,
};

// --- running ours -------------------------------------------------------------------------------

let dir: string;
let wh: Warehouse;
let tableNo = 0;

beforeAll(async () => {
  dir = tempDir("clout-pagerank-");
  wh = await memoryWarehouse();
});
afterAll(() => {
  wh.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Load edges (optionally tagged with a graph) into a new table; ids as text, empty weight = NULL. */
async function edgeTable(parts: { graph?: string; edges: Edge[] }[]): Promise<string> {
  const name = `edges_${++tableNo}`;
  const file = path.join(dir, `${name}.tsv`);
  fs.writeFileSync(file, parts.flatMap((p) => p.edges.map((e) => `${p.graph ?? ""}\t${e.src}\t${e.dst}\t${e.weight ?? ""}\n`)).join(""));
  const withGraph = parts.some((p) => p.graph !== undefined);
  if (parts.every((p) => p.edges.length === 0)) {
    await wh.run(`create table ${name} (${withGraph ? "graph varchar, " : ""}src varchar, dst varchar, weight double)`);
    return name;
  }
  await wh.run(
    `create table ${name} as select ${withGraph ? "graph, " : ""}src, dst, weight from read_csv(${literal(file)}, header = false, delim = '\t', quote = '',
       columns = {'graph': 'VARCHAR', 'src': 'VARCHAR', 'dst': 'VARCHAR', 'weight': 'DOUBLE'})`,
  );
  return name;
}

async function ours(edges: Edge[], opts: { damping?: number; tol?: number; maxIter?: number } = {}): Promise<{ ranks: Map<string, number>; result: PagerankResult }> {
  const table = await edgeTable([{ edges }]);
  const result = await pagerank(wh, { edges: table, out: `${table}_ranks`, ...opts });
  const rows = await wh.all<{ node: string; rank: number }>(`select node, rank from ${table}_ranks`);
  return { ranks: new Map(rows.map((r) => [r.node, r.rank])), result };
}

/** The largest per-node difference; fails outright when the node sets differ. */
function maxAbsDiff(a: Map<string, number>, b: Map<string, number>): number {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  return Math.max(...[...a].map(([node, rank]) => Math.abs(rank - b.get(node)!)));
}

function sum(ranks: Iterable<number>): number {
  let s = 0;
  for (const r of ranks) s += r;
  return s;
}

// --- agreement with networkx ----------------------------------------------------------------------

const haveNetworkx = networkxAvailable();
const ci = process.env.CI === "true";
if (!haveNetworkx && !ci) {
  console.warn(`\n⚠ SKIPPING the networkx agreement tests: ${SYSTEM_PYTHON} cannot import networkx (apt-get install python3-networkx; under CI they fail instead)\n`);
}

describe.runIf(haveNetworkx || ci)("pagerank agrees with networkx.pagerank to 1e-6 per node", () => {
  it("has networkx to compare with", () => {
    if (!haveNetworkx) throw new Error(NETWORKX_MISSING);
  });

  for (const [name, edges] of Object.entries(GRAPHS)) {
    it(`${name}: same result with networkx's default stopping rule, and at a tight tolerance`, async () => {
      const mine = await ours(edges);
      const theirs = await networkxPagerank(edges);
      expect(maxAbsDiff(mine.ranks, theirs)).toBeLessThan(1e-6);
      expect(mine.result.converged).toBe(true);

      const tight = await ours(edges, { tol: 1e-12, maxIter: 1000 });
      expect(maxAbsDiff(tight.ranks, await networkxPagerank(edges, { tol: 1e-12, maxIter: 1000 }))).toBeLessThan(1e-6);
    });
  }

  for (const damping of [0.5, 0.95]) {
    it(`random graph with damping ${damping}`, async () => {
      const edges = GRAPHS["random graph (seed 2, 200 nodes)"]!;
      const mine = await ours(edges, { damping });
      expect(maxAbsDiff(mine.ranks, await networkxPagerank(edges, { damping }))).toBeLessThan(1e-6);
      const tight = await ours(edges, { damping, tol: 1e-12, maxIter: 1000 });
      expect(maxAbsDiff(tight.ranks, await networkxPagerank(edges, { damping, tol: 1e-12, maxIter: 1000 }))).toBeLessThan(1e-6);
    });
  }

  it("reads an unweighted edge table (no weight column) as weight 1", async () => {
    const edges = randomGraph(3).map(({ src, dst }) => ({ src, dst }));
    const table = `unweighted_${++tableNo}`;
    const weighted = await edgeTable([{ edges }]);
    await wh.run(`create table ${table} as select src, dst from ${weighted}`);
    await pagerank(wh, { edges: table, out: `${table}_ranks` });
    const rows = await wh.all<{ node: string; rank: number }>(`select node, rank from ${table}_ranks`);
    expect(maxAbsDiff(new Map(rows.map((r) => [r.node, r.rank])), await networkxPagerank(edges))).toBeLessThan(1e-6);
  });
});

// --- properties of ours alone ---------------------------------------------------------------------

describe("pagerank", () => {
  it("ranks sum to 1 and every src and dst is a node", async () => {
    for (const edges of Object.values(GRAPHS)) {
      const { ranks, result } = await ours(edges);
      expect(Math.abs(sum(ranks.values()) - 1)).toBeLessThan(1e-9);
      const names = new Set(edges.flatMap((e) => [e.src, e.dst]));
      expect(new Set(ranks.keys())).toEqual(names);
      expect(result.nodes).toBe(names.size);
      expect(result.edges).toBe(edges.length);
    }
  });

  it("keeps big-integer ids exact", async () => {
    const { ranks } = await ours(BIG_IDS);
    expect(ranks.has("9007199254740993")).toBe(true);
    expect(ranks.has("340282366920938463463374607431768211457")).toBe(true);
    expect(ranks.get("9007199254740993")).not.toBe(ranks.get("9007199254740992"));
  });

  it("ranks several graphs at once exactly as each alone, each with its own N and convergence", async () => {
    const entries = Object.entries(GRAPHS);
    const alone = new Map<string, { ranks: Map<string, number>; result: PagerankResult }>();
    for (const [name, edges] of entries) alone.set(name, await ours(edges));
    // The graphs need different iteration counts, so some stop while others continue.
    expect(new Set([...alone.values()].map((a) => a.result.iterations)).size).toBeGreaterThan(1);

    const table = await edgeTable(entries.map(([graph, edges]) => ({ graph, edges })));
    const result = await pagerank(wh, { edges: table, out: `${table}_ranks` });
    expect(result.graphs).toBe(entries.length);
    expect(result.converged).toBe(true);
    expect(result.iterations).toBe(Math.max(...[...alone.values()].map((a) => a.result.iterations)));
    const rows = await wh.all<{ graph: string; node: string; rank: number }>(`select graph, node, rank from ${table}_ranks`);
    for (const [name, single] of alone) {
      const together = new Map(rows.filter((r) => r.graph === name).map((r) => [r.node, r.rank]));
      expect(maxAbsDiff(together, single.ranks)).toBeLessThan(1e-12);
      expect(Math.abs(sum(together.values()) - 1)).toBeLessThan(1e-9);
    }
  });

  it("reports converged=false, not an error, when the iteration cap comes first", async () => {
    const edges = GRAPHS["random graph (seed 1)"]!;
    const capped = await ours(edges, { tol: 1e-15, maxIter: 3 });
    expect(capped.result).toMatchObject({ iterations: 3, converged: false });
    expect(Math.abs(sum(capped.ranks.values()) - 1)).toBeLessThan(1e-9);
    const free = await ours(edges);
    expect(free.result.converged).toBe(true);
    expect(free.result.iterations).toBeGreaterThan(3);
  });

  it("reports every iteration's change, shrinking to below N × tol", async () => {
    const seen: [number, number][] = [];
    const table = await edgeTable([{ edges: GRAPHS["random graph (seed 1)"]! }]);
    const result = await pagerank(wh, { edges: table, out: `${table}_ranks`, onIteration: (i, err) => seen.push([i, err]) });
    expect(seen.map(([i]) => i)).toEqual(Array.from({ length: result.iterations }, (_, k) => k + 1));
    expect(seen.at(-1)![1]).toBeLessThan(result.nodes * 1e-6);
    expect(seen.at(-2)![1]).toBeGreaterThanOrEqual(result.nodes * 1e-6);
  });

  it("leaves no temporary tables and restores perfect_ht_threshold", async () => {
    const before = await wh.one<{ v: string }>("select current_setting('perfect_ht_threshold')::varchar as v");
    await ours(GRAPHS["random graph (seed 1)"]!);
    const left = await wh.all("select table_name from duckdb_tables() where table_name like '__pagerank_%'");
    expect(left).toEqual([]);
    expect(await wh.one("select current_setting('perfect_ht_threshold')::varchar as v")).toEqual(before);
  });

  it("ranks an empty edge table as an empty result", async () => {
    const table = await edgeTable([{ edges: [] }]);
    const result = await pagerank(wh, { edges: table, out: `${table}_ranks` });
    expect(result).toMatchObject({ nodes: 0, edges: 0, iterations: 0 });
    expect(await wh.all(`select * from ${table}_ranks`)).toEqual([]);
  });

  it("refuses bad input with the library's error style", async () => {
    const negative = await edgeTable([{ edges: [{ src: "a", dst: "b", weight: -1 }] }]);
    await expect(pagerank(wh, { edges: negative, out: "x" })).rejects.toThrow(/^Failed to rank edges_\d+: weights must not be negative/);
    const nulls = await edgeTable([{ edges: [{ src: "a", dst: "b" }] }]);
    await wh.run(`insert into ${nulls} values ('c', null, 1)`);
    await expect(pagerank(wh, { edges: nulls, out: "x" })).rejects.toThrow(/null src or dst/);
    await wh.run("create table no_dst as select 'a' as src");
    await expect(pagerank(wh, { edges: "no_dst", out: "x" })).rejects.toThrow(/no column dst/);
    await expect(pagerank(wh, { edges: nulls, out: "x", damping: 1 })).rejects.toThrow(/Failed to rank/);
  });
});

// --- the CLI, through the real binary ---------------------------------------------------------------

describe("clout pagerank", () => {
  const csv = (edges: Edge[]) => `src,dst,weight\n${edges.map((e) => `${e.src},${e.dst},${e.weight ?? ""}`).join("\n")}\n`;
  const parseCsv = (text: string) =>
    new Map(
      text
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(","))
        .map(([node, rank]) => [node!, Number(rank)]),
    );

  it("is a registered command (src/cli/main.ts adds pagerankCommand())", async () => {
    const help = await runCli(["pagerank", "--help"]);
    expect(help.stderr).toBe("");
    expect(help.stdout).toMatch(/Usage: clout pagerank \[options\] <edges>/);
  });

  it("writes node,rank sorted by rank, equal to the library's ranks (csv in, csv out; tsv in, parquet out; stdout)", async () => {
    const edges = [...GRAPHS["random graph (seed 1)"]!, ...BIG_IDS];
    const file = path.join(dir, "cli-edges.csv");
    fs.writeFileSync(file, csv(edges));
    const outFile = path.join(dir, "cli-ranks.csv");
    const r = await runCli(["pagerank", file, "--out", outFile]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pagerank: \d+ nodes, [\d,]+ edges, \d+ iterations in/);
    const text = fs.readFileSync(outFile, "utf8");
    expect(text.split("\n")[0]).toBe("node,rank");
    const written = parseCsv(text);
    const ranksInOrder = [...written.values()];
    expect(ranksInOrder).toEqual([...ranksInOrder].sort((a, b) => b - a));
    const { ranks } = await ours(edges);
    expect(maxAbsDiff(written, ranks)).toBeLessThan(1e-15);

    const tsv = path.join(dir, "cli-edges.tsv");
    fs.writeFileSync(tsv, `src\tdst\n${edges.map((e) => `${e.src}\t${e.dst}`).join("\n")}\n`);
    const parquet = path.join(dir, "cli-ranks.parquet");
    const r2 = await runCli(["pagerank", tsv, "--damping", "0.5", "--out", parquet]);
    expect(r2.code).toBe(0);
    const fromParquet = await wh.all<{ node: string; rank: number }>(`select node, rank from read_parquet(${literal(parquet)})`);
    const unweighted = await ours(edges.map(({ src, dst }) => ({ src, dst })), { damping: 0.5 });
    expect(maxAbsDiff(new Map(fromParquet.map((x) => [x.node, x.rank])), unweighted.ranks)).toBeLessThan(1e-15);

    const r3 = await runCli(["pagerank", file]);
    expect(r3.code).toBe(0);
    expect(r3.stdout).toBe(text);
  });

  it("explains a missing file and a non-numeric weight, and exits 1", async () => {
    const missing = await runCli(["pagerank", path.join(dir, "nope.csv")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: edge file ".*nope\.csv" does not exist\nhint: /);

    const file = path.join(dir, "bad-weight.csv");
    fs.writeFileSync(file, "src,dst,weight\na,b,1\nb,c,lots\n");
    const bad = await runCli(["pagerank", file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: weight "lots" on line 3 of ".*bad-weight\.csv" is not a non-negative number\nhint: /);
    expect(bad.stdout).toBe("");
  });

  it("refuses a damping outside (0,1), an unknown extension, a file without src/dst, and an empty graph", async () => {
    const file = path.join(dir, "ok.csv");
    fs.writeFileSync(file, "src,dst\na,b\n");
    const damping = await runCli(["pagerank", file, "--damping", "1.5"]);
    expect(damping.code).toBe(1);
    expect(damping.stderr).toMatch(/error: option '--damping <d>' argument '1\.5' is invalid/);

    const txt = path.join(dir, "edges.txt");
    fs.writeFileSync(txt, "src,dst\na,b\n");
    expect((await runCli(["pagerank", txt])).stderr).toMatch(/^error: cannot read ".*edges\.txt": unknown extension "\.txt"\nhint: /);

    const noHeader = path.join(dir, "no-header.csv");
    fs.writeFileSync(noHeader, "a,b\nb,c\n");
    const headerless = await runCli(["pagerank", noHeader]);
    expect(headerless.code).toBe(1);
    expect(headerless.stderr).toMatch(/^error: ".*no-header\.csv" has no "src" column \(its columns: "a", "b"\)\nhint: the first line must be a header/);

    const empty = path.join(dir, "empty.csv");
    fs.writeFileSync(empty, "src,dst,weight\n");
    const none = await runCli(["pagerank", empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: ".*empty\.csv" has no edges\n/);
  });
});
