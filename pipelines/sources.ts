import fs from "node:fs";
import path from "node:path";
import type { DataLayout } from "../src/lib/paths.ts";
import { ident, type Warehouse } from "../src/lib/warehouse.ts";
import type { NetworkSpec } from "./types.ts";

/**
 * The source views staging reads: `raw.<source>__<entity>` over
 * data/lake/raw/<source>/<entity>/dt=*\/*.parquet, with the landed columns, `_source_file`,
 * `_source_line` and the partition date `dt` (DATE). The lake's location is the session variable
 * `lake_root` (set from the configuration as a parameter), so the view text holds no path from a person.
 * An entity never landed gets an empty view with the same columns, so every model binds from day one.
 * To query them by hand in the DuckDB CLI: `set variable lake_root = 'data/lake';` then
 * `select * from read_parquet(getvariable('lake_root') || '/raw/twitter/tweets/dt=*\/*.parquet', hive_partitioning = true)`.
 */
export async function createRawViews(wh: Warehouse, layout: DataLayout, sources: NetworkSpec[]): Promise<void> {
  await wh.run("create schema if not exists raw");
  await wh.run("set variable lake_root = $1::varchar", [layout.lake]);
  for (const source of sources) {
    for (const spec of source.entities) {
      const view = `raw.${ident(`${source.name}__${spec.entity}`)}`;
      const dir = path.join(layout.lake, "raw", source.name, spec.entity);
      const landed = fs.existsSync(dir) && fs.readdirSync(dir).some((d) => d.startsWith("dt=") && fs.readdirSync(path.join(dir, d)).some((f) => f.endsWith(".parquet")));
      // source and entity names come from code (pipelines/networks), never from a person.
      const sql = landed
        ? `select * from read_parquet(getvariable('lake_root') || '/raw/${source.name}/${spec.entity}/dt=*/*.parquet', hive_partitioning = true, union_by_name = true)`
        : `select ${[...spec.columns.map((c) => `cast(null as ${c.type}) as ${ident(c.name)}`), "cast(null as varchar) as _source_file", "cast(null as bigint) as _source_line", "cast(null as date) as dt"].join(", ")} where false`;
      await wh.run(`create or replace view ${view} as ${sql}`);
    }
  }
}
