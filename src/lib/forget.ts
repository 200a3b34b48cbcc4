import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createGunzip, gzipSync } from "node:zlib";
import { PARQUET_OPTIONS, writeFileAtomic, writeJsonAtomic } from "./files.ts";
import { ident, type Warehouse } from "./warehouse.ts";

/**
 * Opt-out that really deletes. `forget` takes a person's identifiers (person id, account ids, handles) and
 * removes every row that holds one of them — as a whole value or as a delimited part of one (an AT URI, a
 * `network:account` person id, a JSON line), in any column, free text included — from the exports, the lake
 * (raw and rejects), the ground truth, every warehouse table (history and meta included) and the published
 * files (a fresh publish; older snapshots are deleted). Rows of other people that name the person go too.
 *
 * A tombstone keeps later nights from bringing them back: `data/tombstones.json` holds salted SHA-256
 * hashes of the identifiers, never the identifiers, and ingest drops any export line containing one.
 */
export interface TombstoneFile {
  salt: string;
  entries: { hash: string; length: number; forgotten_at: string }[];
}

export class Tombstones {
  private constructor(
    readonly salt: string,
    readonly hashes: Set<string>,
    readonly lengths: Set<number>,
  ) {}

  static file(dataRoot: string): string {
    return path.join(dataRoot, "tombstones.json");
  }

  static load(dataRoot: string): Tombstones | undefined {
    const f = Tombstones.file(dataRoot);
    if (!fs.existsSync(f)) return undefined;
    const data = JSON.parse(fs.readFileSync(f, "utf8")) as TombstoneFile;
    if (data.entries.length === 0) return undefined;
    return new Tombstones(data.salt, new Set(data.entries.map((e) => e.hash)), new Set(data.entries.map((e) => e.length)));
  }

  static hash(salt: string, id: string): string {
    return createHash("sha256").update(`${salt}\0${id}`).digest("hex");
  }

  /** Add identifiers to the tombstone file (created with a random salt the first time). */
  static add(dataRoot: string, ids: string[]): void {
    const f = Tombstones.file(dataRoot);
    const data: TombstoneFile = fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, "utf8")) as TombstoneFile) : { salt: randomBytes(16).toString("hex"), entries: [] };
    const known = new Set(data.entries.map((e) => e.hash));
    const now = new Date().toISOString();
    for (const id of ids) {
      const hash = Tombstones.hash(data.salt, id);
      if (!known.has(hash)) data.entries.push({ hash, length: id.length, forgotten_at: now });
    }
    writeJsonAtomic(f, data);
  }

  /** Does this raw line hold a forgotten identifier? Checks tokens and their '/' and ':' parts. */
  lineMatches(line: string): boolean {
    for (const m of line.matchAll(/[^\s"',;\t[\]{}()<>|]+/g)) {
      const token = m[0];
      if (this.check(token)) return true;
      if (token.includes("/") || token.includes(":") || token.includes("@")) {
        let at = token.indexOf("/");
        while (at > 0) {
          if (this.check(token.slice(0, at))) return true;
          at = token.indexOf("/", at + 1);
        }
        for (const part of token.split(/[/:@#?=&]/)) if (part && this.check(part)) return true;
        for (const part of token.split("/")) if (part && this.check(part)) return true;
      }
    }
    return false;
  }

  private check(candidate: string): boolean {
    return this.lengths.has(candidate.length) && this.hashes.has(Tombstones.hash(this.salt, candidate));
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One regular expression (RE2 and JS alike) matching any of the ids as a delimited part of a text. */
export function idPattern(ids: string[]): string {
  const alts = [...new Set(ids)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length).map(escapeRegex);
  return `(^|[^A-Za-z0-9_])(${alts.join("|")})([^A-Za-z0-9_]|$)`;
}

export interface ForgetReport {
  exportLines: number;
  lakeRows: number;
  warehouseRows: number;
  groundTruthLines: number;
  files: number;
}

function walkFiles(dir: string, keep: (f: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walkFiles(full, keep));
    else if (e.isFile() && keep(full)) out.push(full);
  }
  return out;
}

/** Rewrite a text file (plain or .gz) without the lines matching `re`; returns how many lines went. */
export async function scrubTextFile(file: string, re: RegExp): Promise<number> {
  const raw = fs.readFileSync(file);
  const gz = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  let text: string;
  if (gz) {
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const z = createGunzip();
      z.on("data", (c: Buffer) => chunks.push(c));
      z.on("end", () => resolve());
      z.on("error", reject);
      z.end(raw);
    });
    text = Buffer.concat(chunks).toString("utf8");
  } else text = raw.toString("utf8");
  const lines = text.split("\n");
  const kept = lines.filter((l) => !re.test(l));
  const removed = lines.length - kept.length;
  if (removed > 0) {
    const out = kept.join("\n");
    writeFileAtomic(file, gz ? gzipSync(out) : out);
  }
  return removed;
}

/** Remove matching rows from every Parquet file under `dir` (each file rewritten aside, then renamed). */
export async function scrubParquet(wh: Warehouse, dir: string, pattern: string): Promise<{ rows: number; files: number }> {
  let rows = 0;
  let files = 0;
  for (const file of walkFiles(dir, (f) => f.endsWith(".parquet"))) {
    const hit = await wh.one<{ n: number }>("select count(*)::bigint as n from read_parquet($1) as t where regexp_matches(t::varchar, $2)", [file, pattern]);
    const n = Number(hit?.n ?? 0);
    if (n === 0) continue;
    const tmp = `${file}.forget-tmp`;
    await wh.run(`copy (select * from read_parquet($1) as t where not regexp_matches(t::varchar, $2)) to $3 (${PARQUET_OPTIONS})`, [file, pattern, tmp]);
    fs.renameSync(tmp, file);
    rows += n;
    files++;
  }
  return { rows, files };
}

/** Delete matching rows from every base table of the warehouse. */
export async function scrubWarehouse(wh: Warehouse, pattern: string): Promise<number> {
  const tables = await wh.all<{ s: string; t: string }>(
    "select table_schema as s, table_name as t from information_schema.tables where table_type = 'BASE TABLE' and table_catalog = current_database() order by 1, 2",
  );
  let rows = 0;
  for (const { s, t } of tables) {
    const target = `${ident(s)}.${ident(t)}`;
    const hit = await wh.one<{ n: number }>(`select count(*)::bigint as n from ${target} as r where regexp_matches(r::varchar, $1)`, [pattern]);
    const n = Number(hit?.n ?? 0);
    if (n === 0) continue;
    await wh.run(`delete from ${target} where rowid in (select rowid from ${target} as r where regexp_matches(r::varchar, $1))`, [pattern]);
    rows += n;
  }
  // Rows went from tables without their models writing them, so no change log lists them: the models that read
  // change logs compute themselves whole at the next build (README "Change logs").
  await wh.run("delete from meta.changed_keys_state");
  // Its pattern may also have matched a logged key hash's digits: every uniqueness test runs whole next time
  // (src/runner/datatests.ts, "Uniqueness tests after a partial write").
  await wh.run("delete from meta.test_verified");
  await wh.run("delete from meta.test_written_keys");
  await wh.run("checkpoint");
  return rows;
}

/** Everything but the warehouse and the published files: exports, ground truth, lake. */
export async function scrubFiles(wh: Warehouse, dataRoot: string, ids: string[]): Promise<Omit<ForgetReport, "warehouseRows">> {
  const pattern = idPattern(ids);
  const re = new RegExp(pattern);
  let exportLines = 0;
  let files = 0;
  for (const f of walkFiles(path.join(dataRoot, "exports"), (x) => /\.(jsonl|csv|tsv|txt)(\.gz)?$/.test(x))) {
    const n = await scrubTextFile(f, re);
    if (n > 0) files++;
    exportLines += n;
  }
  let groundTruthLines = 0;
  for (const f of walkFiles(path.join(dataRoot, "ground_truth"), (x) => /\.(jsonl|json)$/.test(x))) {
    const n = await scrubTextFile(f, re);
    if (n > 0) files++;
    groundTruthLines += n;
  }
  const lake = await scrubParquet(wh, path.join(dataRoot, "lake"), pattern);
  return { exportLines, groundTruthLines, lakeRows: lake.rows, files: files + lake.files };
}
