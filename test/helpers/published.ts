import fs from "node:fs";
import path from "node:path";
import { Warehouse } from "../../src/lib/warehouse.ts";

/**
 * Compare two published snapshots table by table. Rows are matched on all their non-floating columns;
 * floating columns must agree to 1e-9 (relative). Two runs of the same night add floating-point numbers
 * in orders that can differ in the last bit (DuckDB's join and aggregation order), so bit equality of
 * doubles is not a property anyone can promise; everything else must be identical.
 * Returns one line per difference (empty when the snapshots agree).
 */
export async function publishedDifferences(dataA: string, dataB: string): Promise<string[]> {
  const a = fs.realpathSync(path.join(dataA, "published"));
  const b = fs.realpathSync(path.join(dataB, "published"));
  const files = (d: string) => fs.readdirSync(d).filter((x) => x.endsWith(".parquet")).sort();
  const out: string[] = [];
  if (JSON.stringify(files(a)) !== JSON.stringify(files(b))) out.push(`tables differ: ${files(a).join(",")} vs ${files(b).join(",")}`);
  const wh = await Warehouse.open({ path: ":memory:", threads: 2 });
  try {
    for (const f of files(a).filter((x) => files(b).includes(x))) {
      await wh.run("create or replace temp table ta as select * from read_parquet($1)", [path.join(a, f)]);
      await wh.run("create or replace temp table tb as select * from read_parquet($1)", [path.join(b, f)]);
      const cols = await wh.all<{ column_name: string; column_type: string }>("select column_name, column_type from (describe ta)");
      const isFloat = (t: string) => t === "DOUBLE" || t === "FLOAT";
      const keys = cols.filter((c) => !isFloat(c.column_type)).map((c) => `"${c.column_name}"`);
      const floats = cols.filter((c) => isFloat(c.column_type)).map((c) => `"${c.column_name}"`);
      const counts = await wh.one<{ na: number; nb: number }>("select (select count(*) from ta)::integer as na, (select count(*) from tb)::integer as nb");
      if (counts!.na !== counts!.nb) out.push(`${f}: ${counts!.na} rows vs ${counts!.nb}`);
      const keyA = keys.length ? `list_value(${keys.map((k) => `a.${k}::varchar`).join(", ")})` : "1";
      const keyB = keys.length ? `list_value(${keys.map((k) => `b.${k}::varchar`).join(", ")})` : "1";
      const floatsA = floats.length ? `list_value(${floats.map((k) => `a.${k}`).join(", ")})` : "[]::double[]";
      const floatsB = floats.length ? `list_value(${floats.map((k) => `b.${k}`).join(", ")})` : "[]::double[]";
      const bad = await wh.all<{ k: string }>(
        `with a as (select ${keyA} as k, ${floatsA} as v, row_number() over (partition by ${keyA} order by ${floatsA}) as i from ta as a),
              b as (select ${keyB} as k, ${floatsB} as v, row_number() over (partition by ${keyB} order by ${floatsB}) as i from tb as b)
         select coalesce(a.k, b.k)::varchar as k from a full outer join b on a.k = b.k and a.i = b.i
         where a.k is null or b.k is null
            or list_bool_or(list_transform(list_zip(a.v, b.v), lambda p: not (p[1] is not distinct from p[2] or abs(p[1] - p[2]) <= 1e-9 * greatest(1.0, abs(p[1])))))
         limit 3`,
      );
      for (const r of bad) out.push(`${f}: row ${r.k} differs`);
    }
  } finally {
    wh.close();
  }
  return out;
}

/** Every Parquet file under a directory, and every row of it whose text matches a pattern. */
export async function parquetRowsMatching(root: string, pattern: string): Promise<{ file: string; n: number }[]> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && e.name.endsWith(".parquet")) files.push(full);
    }
  };
  walk(root);
  const wh = await Warehouse.open({ path: ":memory:", threads: 2 });
  try {
    const hits: { file: string; n: number }[] = [];
    for (const f of files) {
      const row = await wh.one<{ n: number }>("select count(*)::integer as n from read_parquet($1) as t where regexp_matches(t::varchar, $2)", [f, pattern]);
      if ((row?.n ?? 0) > 0) hits.push({ file: path.relative(root, f), n: row!.n });
    }
    return hits;
  } finally {
    wh.close();
  }
}
