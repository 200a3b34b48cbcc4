import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * networkx.pagerank as the reference PageRank (an implementation that is not ours). It comes from
 * Debian's python3-networkx, so it runs under /usr/bin/python3, not the python3 on PATH.
 */
export const SYSTEM_PYTHON = "/usr/bin/python3";

export const NETWORKX_MISSING = "python3-networkx is required under CI; .ci/run installs it";

export interface Edge {
  src: string;
  dst: string;
  /** Missing means 1, as in networkx. */
  weight?: number;
}

let available: boolean | undefined;

/** Whether /usr/bin/python3 can import networkx. */
export function networkxAvailable(): boolean {
  available ??= spawnSync(SYSTEM_PYTHON, ["-c", "import networkx"], { stdio: "ignore" }).status === 0;
  return available;
}

// A DiGraph with the weights of repeated (src, dst) rows summed, then networkx.pagerank. networkx 2.x
// computes it with scipy; where scipy is missing, the same power iteration in pure Python (same
// conventions, same stopping rule) that networkx ships as _pagerank_python.
const SCRIPT = `
import json, sys
import networkx as nx
path, alpha, tol, max_iter = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
G = nx.DiGraph()
with open(path, encoding="utf-8") as f:
    for line in f:
        src, dst, w = line.rstrip("\\n").split("\\t")
        w = 1.0 if w == "" else float(w)
        if G.has_edge(src, dst):
            G[src][dst]["weight"] += w
        else:
            G.add_edge(src, dst, weight=w)
try:
    ranks = nx.pagerank(G, alpha=alpha, tol=tol, max_iter=max_iter, weight="weight")
except ImportError:
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python
    ranks = _pagerank_python(G, alpha=alpha, tol=tol, max_iter=max_iter, weight="weight")
json.dump(ranks, sys.stdout)
`;

/** Write edges as `src<TAB>dst<TAB>weight` lines (empty weight = missing). */
export function writeEdgesTsv(file: string, edges: Edge[]): void {
  fs.writeFileSync(file, edges.map((e) => `${e.src}\t${e.dst}\t${e.weight ?? ""}\n`).join(""));
}

/** networkx.pagerank of `edges`: node → rank. Fails (never skips) when networkx is missing. */
export async function networkxPagerank(
  edges: Edge[],
  opts: { damping?: number; tol?: number; maxIter?: number } = {},
): Promise<Map<string, number>> {
  if (!networkxAvailable()) throw new Error(NETWORKX_MISSING);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clout-networkx-"));
  try {
    const file = path.join(dir, "edges.tsv");
    writeEdgesTsv(file, edges);
    const args = ["-c", SCRIPT, file, String(opts.damping ?? 0.85), String(opts.tol ?? 1e-6), String(opts.maxIter ?? 100)];
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(SYSTEM_PYTHON, args, { maxBuffer: 256 * 1024 * 1024 }, (err, out, stderr) => {
        if (err) reject(new Error(`networkx failed: ${stderr || err.message}`));
        else resolve(out);
      });
    });
    return new Map(Object.entries(JSON.parse(stdout) as Record<string, number>));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
