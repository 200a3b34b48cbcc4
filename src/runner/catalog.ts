import path from "node:path";
import { writeJsonAtomic } from "../lib/files.ts";
import type { Warehouse } from "../lib/warehouse.ts";
import type { DataTest } from "./datatests.ts";
import type { Graph } from "./graph.ts";

/** The catalog of models — what the site shows as lineage and what `clout build --list` prints. */
export interface CatalogModel {
  name: string;
  layer: string;
  schema: string;
  materialized: string;
  date_column: string | null;
  file: string;
  description: string;
  depends_on: string[];
  sources: string[];
  columns: { name: string; type: string | null; description: string | null }[];
  tests: string[];
  built: boolean;
}

export interface Catalog {
  generated_at: string;
  layers: string[];
  models: CatalogModel[];
}

export async function buildCatalog(wh: Warehouse, graph: Graph, tests: DataTest[]): Promise<Catalog> {
  const cols = await wh.all<{ s: string; t: string; c: string; ty: string }>(
    "select table_schema as s, table_name as t, column_name as c, data_type as ty from information_schema.columns order by table_schema, table_name, ordinal_position",
  );
  const byTable = new Map<string, { name: string; type: string }[]>();
  for (const c of cols) {
    const k = `${c.s}.${c.t}`;
    byTable.set(k, [...(byTable.get(k) ?? []), { name: c.c, type: c.ty }]);
  }
  const models: CatalogModel[] = graph.order.map((name) => {
    const node = graph.nodes.get(name)!;
    const m = node.model;
    const described = m.config.columns ?? {};
    const built = byTable.get(`${m.schema}.${m.name}`);
    const columns = built
      ? built.map((c) => ({ name: c.name, type: c.type, description: described[c.name]?.description ?? null }))
      : Object.entries(described).map(([c, d]) => ({ name: c, type: null, description: d?.description ?? null }));
    return {
      name,
      layer: m.layer,
      schema: m.schema,
      materialized: m.materialized,
      date_column: m.dateColumn ?? null,
      file: m.file,
      description: m.config.description ?? m.header,
      depends_on: node.dependsOn,
      sources: node.sources,
      columns,
      tests: tests.filter((t) => t.models.includes(name)).map((t) => t.name),
      built: built !== undefined,
    };
  });
  return { generated_at: new Date().toISOString(), layers: graph.project.layers.map((l) => l.name), models };
}

export function writeCatalog(artifactsDir: string, catalog: Catalog): string {
  const file = path.join(artifactsDir, "catalog.json");
  writeJsonAtomic(file, catalog);
  return file;
}
