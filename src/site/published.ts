import fs from "node:fs";
import path from "node:path";
import { Warehouse } from "../lib/warehouse.ts";

/**
 * What the site's data loaders read: the published Parquet (`<data>/published/<table>.parquet`, the last good
 * publish), opened as views in an in-memory DuckDB. Loaders never open the warehouse for the marts, so a running
 * nightly cannot block or half-feed a build.
 */
export const MARTS = [
  "dim_people",
  "dim_accounts",
  "dim_topics",
  "fct_account_scores",
  "fct_person_scores",
  "fct_topic_affinity",
  "fct_moments",
  "fct_topic_trends",
  "fct_score_explanations",
  "score_calibration",
] as const;
export type Mart = (typeof MARTS)[number];

/**
 * The data directory the site reads: `CLOUT_DATA_DIR` (which `clout site build` always sets), else the CLI's
 * configuration order (config file, then `data/`). The config module (zod) is loaded only in that second case:
 * every loader is a process of its own, and its start-up time adds up.
 */
export async function siteDataDir(): Promise<string> {
  const env = process.env.CLOUT_DATA_DIR;
  if (env) return path.resolve(env);
  const { resolveConfig } = await import("../lib/config.ts");
  return resolveConfig().dataDir;
}

export class Published {
  readonly dir: string;
  readonly db: Warehouse;
  /** The marts found in the publish (score_calibration is absent until the calibration is frozen). */
  readonly tables: Set<string>;

  private constructor(dir: string, db: Warehouse, tables: Set<string>) {
    this.dir = dir;
    this.db = db;
    this.tables = tables;
  }

  /** Open `<dataDir>/published` (resolved through its symlink, so one build reads one snapshot). */
  static async open(dataDir?: string): Promise<Published> {
    const link = path.join(dataDir ?? (await siteDataDir()), "published");
    if (!fs.existsSync(link)) {
      throw new Error(`Failed to open the published datasets: ${link} does not exist (run \`clout nightly\` or \`npm run demo\` first)`);
    }
    const dir = fs.realpathSync(link);
    const db = await Warehouse.open({ path: ":memory:", threads: 2, memoryLimit: process.env.CLOUT_MEMORY_LIMIT ?? "2GB" });
    const tables = new Set<string>();
    try {
      for (const t of MARTS) {
        const file = path.join(dir, `${t}.parquet`);
        if (!fs.existsSync(file)) continue;
        // a view per mart: DuckDB reads only the columns and row groups each query needs
        await db.run(`create view ${t} as select * from read_parquet('${file.replace(/'/g, "''")}')`);
        tables.add(t);
      }
    } catch (err) {
      db.close();
      throw err;
    }
    for (const required of ["dim_people", "fct_person_scores"]) {
      if (!tables.has(required)) {
        db.close();
        throw new Error(`Failed to open the published datasets: ${required}.parquet is missing from ${dir}`);
      }
    }
    return new Published(dir, db, tables);
  }

  /** The publish's manifest (`_manifest.json`): run id, publish time, score date, row counts. */
  manifest(): { run_id?: string; published_at?: string; score_date?: string; tables?: { table: string; rows: number }[] } {
    const file = path.join(this.dir, "_manifest.json");
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
  }

  has(table: Mart): boolean {
    return this.tables.has(table);
  }

  async all<T extends Record<string, unknown>>(sql: string, params?: (string | number | boolean | null)[]): Promise<T[]> {
    return this.db.all<T>(sql, params);
  }

  /** The latest score date in fct_person_scores (what "today" means on every page). */
  async scoreDate(): Promise<string> {
    const row = await this.db.one<{ d: string | null }>("select max(score_date)::varchar as d from fct_person_scores");
    if (!row?.d) throw new Error(`Failed to read the score date: fct_person_scores in ${this.dir} has no rows`);
    return row.d;
  }

  close(): void {
    this.db.close();
  }
}

/**
 * Run a loader: open the publish, compute, write JSON to stdout. Any failure is printed on stderr and exits 1,
 * which fails `observable build` (a page never ships with missing data).
 */
export async function runLoader<T>(name: string, fn: (p: Published) => Promise<T>): Promise<void> {
  let p: Published | undefined;
  try {
    p = await Published.open();
    const value = await fn(p);
    process.stdout.write(JSON.stringify(value));
  } catch (err) {
    process.stderr.write(`error: data loader ${name} failed: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    p?.close();
  }
}

/** Round to `digits` decimals (keeps the JSON the browser downloads small). */
export function round(x: number | null | undefined, digits = 2): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
