import fs from "node:fs";
import path from "node:path";
import type { Catalog, CatalogModel } from "../../runner/catalog.ts";

/**
 * The Lineage page: the model graph from `<data>/artifacts/catalog.json` (written by every build), laid out top
 * to bottom as layers: exports (one node per network's raw sources, plus seeds) → staging (one node per network)
 * → intermediate and marts (one node per model, rows by longest path within the layer, ordered by the mean
 * position of their inputs so edges stay short). Computed here so the page only draws.
 */
export interface LineageNode {
  id: string;
  label: string;
  sub: string;
  layer: "exports" | "staging" | "intermediate" | "marts";
  models: string[];
  materialized: string | null;
  description: string;
  tests: number;
  x: number;
  y: number;
  w: number;
}
export interface LineageEdge {
  from: string;
  to: string;
  /** an edge from a node feeding many models (the parameters): drawn faint until selected */
  faint: boolean;
}

export const LAYOUT = { width: 1120, rowHeight: 62, nodeHeight: 36, top: 30 };

function sourceGroup(source: string): { id: string; label: string } {
  const [schema, table = ""] = source.split(".");
  if (schema === "raw") {
    const network = table.split("__")[0]!;
    return { id: `exports:${network}`, label: network };
  }
  return { id: `exports:${schema}`, label: schema === "topics" ? "taxonomy" : schema! };
}

function stagingGroup(m: CatalogModel): string {
  const network = /^stg_([a-z0-9]+)__/.exec(m.name)?.[1] ?? m.name;
  return `staging:${network}`;
}

/** Whitespace collapsed, cut at a word boundary. */
function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), max - 20))}…`;
}

export function readCatalog(dataDir: string): Catalog {
  const file = path.join(dataDir, "artifacts", "catalog.json");
  if (!fs.existsSync(file)) throw new Error(`no model catalog at ${file}: run \`clout build\` (or a nightly) first`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Catalog;
}

export function lineage(catalog: Catalog) {
  const nodes = new Map<string, LineageNode>();
  const nodeOf = new Map<string, string>(); // model name → node id
  const add = (n: Omit<LineageNode, "x" | "y" | "w">) => {
    const existing = nodes.get(n.id);
    if (existing) {
      existing.models.push(...n.models);
      existing.tests += n.tests;
      return existing;
    }
    const node = { ...n, x: 0, y: 0, w: 0 };
    nodes.set(n.id, node);
    return node;
  };
  // exports: one node per source group; entity names listed as its models
  for (const m of catalog.models) {
    for (const s of m.sources) {
      const g = sourceGroup(s);
      const node = nodes.get(g.id) ?? add({ id: g.id, label: g.label, sub: "", layer: "exports", models: [], materialized: null, description: "", tests: 0 });
      if (!node.models.includes(s)) node.models.push(s);
    }
  }
  for (const m of catalog.models) {
    if (m.layer === "staging") {
      const id = stagingGroup(m);
      add({ id, label: id.slice("staging:".length), sub: "", layer: "staging", models: [m.name], materialized: m.materialized, description: "", tests: m.tests.length });
      nodeOf.set(m.name, id);
    } else {
      const layer = m.layer === "marts" ? "marts" : "intermediate";
      add({ id: `model:${m.name}`, label: m.name, sub: m.materialized, layer, models: [m.name], materialized: m.materialized, description: m.description ?? "", tests: m.tests.length });
      nodeOf.set(m.name, `model:${m.name}`);
    }
  }
  for (const n of nodes.values()) {
    if (n.layer === "exports") {
      n.sub = `${n.models.length} ${n.label === "taxonomy" ? "seed tables" : "exports"}`;
      n.description = n.models.join(", ");
    }
    if (n.layer === "staging") {
      n.sub = `${n.models.length} view${n.models.length === 1 ? "" : "s"}`;
      n.description = n.models.join(", ");
    }
  }
  // edges, deduplicated between nodes
  const edgeSet = new Map<string, LineageEdge>();
  const link = (from: string, to: string) => {
    if (from !== to) edgeSet.set(`${from}→${to}`, { from, to, faint: false });
  };
  for (const m of catalog.models) {
    const to = nodeOf.get(m.name)!;
    for (const s of m.sources) link(sourceGroup(s).id, to);
    for (const dep of m.depends_on) if (nodeOf.has(dep)) link(nodeOf.get(dep)!, to);
  }
  const edges = [...edgeSet.values()];
  const outDegree = new Map<string, number>();
  for (const e of edges) outDegree.set(e.from, (outDegree.get(e.from) ?? 0) + 1);
  for (const e of edges) {
    const from = nodes.get(e.from)!;
    e.faint = from.layer === "intermediate" && (outDegree.get(e.from) ?? 0) >= 6;
  }
  // rows: longest path inside each layer
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen = new Set<string>()): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0; // the runner refuses cycles; never loop here
    seen.add(id);
    const node = nodes.get(id)!;
    let d = 0;
    for (const e of edges) {
      if (e.to !== id) continue;
      const from = nodes.get(e.from)!;
      if (from.layer === node.layer) d = Math.max(d, depthOf(e.from, seen) + 1);
    }
    depth.set(id, d);
    return d;
  };
  const rowsOf = { exports: 0, staging: 1 } as Record<string, number>;
  const intermediate = [...nodes.values()].filter((n) => n.layer === "intermediate");
  const maxInt = Math.max(-1, ...intermediate.map((n) => depthOf(n.id)));
  const rowOf = (n: LineageNode) =>
    n.layer === "exports" || n.layer === "staging" ? rowsOf[n.layer]! : n.layer === "intermediate" ? 2 + depthOf(n.id) : 3 + maxInt + depthOf(n.id);
  const rows = new Map<number, LineageNode[]>();
  for (const n of nodes.values()) rows.set(rowOf(n), [...(rows.get(rowOf(n)) ?? []), n]);
  const { width, rowHeight, top } = LAYOUT;
  const placeRow = (row: LineageNode[], order: (n: LineageNode) => number) => {
    row.sort((a, b) => order(a) - order(b) || a.label.localeCompare(b.label));
    const spacing = Math.min(width / row.length, 250);
    const w = Math.min(spacing - 10, 220);
    const wanted = row.reduce((s, n) => s + order(n), 0) / row.length;
    const span = spacing * row.length;
    const left = Math.max(0, Math.min(width - span, (Number.isFinite(wanted) ? wanted : width / 2) - span / 2));
    row.forEach((n, i) => {
      n.x = left + spacing * (i + 0.5);
      n.w = w;
    });
  };
  const rowNumbers = [...rows.keys()].sort((a, b) => a - b);
  // staging and exports in network order, the seeds last; then every later row by its inputs' mean x
  const seedsLast = (a: LineageNode, b: LineageNode) => Number(a.label === "taxonomy") - Number(b.label === "taxonomy") || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
  const exportsRow = (rows.get(0) ?? []).sort(seedsLast);
  const exportSpacing = width / Math.max(1, exportsRow.length);
  exportsRow.forEach((n, i) => {
    n.x = exportSpacing * (i + 0.5);
    n.w = Math.min(exportSpacing - 8, 200);
  });
  // each network's staging node sits under its exports, same width
  const stagingRow = (rows.get(1) ?? []).sort(seedsLast);
  stagingRow.forEach((s, i) => {
    const e = nodes.get(`exports:${s.label}`);
    s.x = e ? e.x : exportSpacing * (i + 0.5);
    s.w = Math.min(exportSpacing - 8, 200);
  });
  for (const r of rowNumbers.filter((r) => r >= 2)) {
    const row = rows.get(r)!;
    const bary = (n: LineageNode) => {
      const xs = edges.filter((e) => e.to === n.id && !e.faint).map((e) => nodes.get(e.from)!.x);
      return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : width / 2;
    };
    placeRow(row, bary);
  }
  for (const n of nodes.values()) n.y = top + rowOf(n) * rowHeight;
  const bands = (["exports", "staging", "intermediate", "marts"] as const).map((layer) => {
    const ys = [...nodes.values()].filter((n) => n.layer === layer).map((n) => n.y);
    return { layer, y0: Math.min(...ys) - rowHeight / 2 + 4, y1: Math.max(...ys) + rowHeight / 2 - 4 };
  });
  const table = catalog.models.map((m) => ({
    name: m.name,
    layer: m.layer,
    materialized: m.materialized,
    reads: [...m.depends_on, ...m.sources],
    read_by: catalog.models.filter((o) => o.depends_on.includes(m.name)).map((o) => o.name),
    tests: m.tests.length,
    columns: m.columns.length,
    file: m.file,
    description: shorten(m.description ?? "", 280),
  }));
  return {
    generated_at: catalog.generated_at,
    layout: { ...LAYOUT, height: top + (Math.max(...rowNumbers) + 1) * rowHeight },
    nodes: [...nodes.values()],
    edges,
    bands,
    models: table,
    counts: {
      models: catalog.models.length,
      staging: catalog.models.filter((m) => m.layer === "staging").length,
      intermediate: catalog.models.filter((m) => m.layer !== "staging" && m.layer !== "marts").length,
      marts: catalog.models.filter((m) => m.layer === "marts").length,
      tests: catalog.models.reduce((s, m) => s + m.tests.length, 0),
    },
  };
}
