import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { generate } from "../../pipelines/generate/generate.ts";
import { rowObject, splitDelimited } from "../../pipelines/ingest/csv.ts";
import { parseJsonLine } from "../../pipelines/ingest/jsonl.ts";
import { DEFAULT_TOPICS_FILE, loadTopics } from "../../pipelines/generate/topics.ts";
import type { Context } from "../../src/cli/context.ts";
import { Output } from "../../src/cli/output.ts";
import { runNight } from "../../src/cli/commands/nightly.ts";
import { addDays } from "../../src/lib/dates.ts";
import { DataLayout, INSTALL_DIR } from "../../src/lib/paths.ts";
import { Warehouse } from "../../src/lib/warehouse.ts";
import { tempDir } from "./warehouse.ts";

/** A command context on a temp data directory, printing nothing (or to `log` when given). */
export function quietContext(dataDir: string, log?: string[]): Context {
  const sink = new Writable({
    write(chunk, _enc, done) {
      log?.push(String(chunk));
      done();
    },
  });
  return {
    config: { dataDir, projectDir: INSTALL_DIR, memoryLimit: "2GB", threads: 2 },
    layout: new DataLayout(dataDir),
    out: new Output(sink, sink, false),
  };
}

/** Generate a small sample world into a fresh data directory. */
export async function sampleWorld(opts: { people: number; days: number; end: string; seed: number }): Promise<Context> {
  const ctx = quietContext(tempDir("clout-world-"));
  await generate({ out: ctx.layout.root, people: opts.people, days: opts.days, end: opts.end, seed: opts.seed, gzip: false, topics: loadTopics(DEFAULT_TOPICS_FILE), validate: "none" });
  return ctx;
}

/**
 * The records of one entity in a world's exports, one list per export file in date order (a JSONL line as parsed by
 * ingest, a CSV row as `{header: cell}`); lines that do not parse are left out.
 */
export function exportRecords(ctx: Context, network: string, entity: string): Record<string, unknown>[][] {
  const root = path.join(ctx.layout.root, "exports", network);
  if (!fs.existsSync(root)) return [];
  const files: Record<string, unknown>[][] = [];
  for (const d of fs.readdirSync(root).sort()) {
    for (const ext of ["jsonl", "csv"]) {
      const file = path.join(root, d, `${entity}.${ext}`);
      if (!fs.existsSync(file)) continue;
      const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
      const records: Record<string, unknown>[] = [];
      if (ext === "csv") {
        const header = splitDelimited(lines.shift() ?? "", ",");
        if (!header.ok) throw new Error(`${file}: no header`);
        for (const l of lines) {
          const split = splitDelimited(l, ",");
          if (split.ok) records.push(rowObject(split.fields, header.fields) as Record<string, unknown>);
        }
      } else {
        for (const l of lines) {
          const p = parseJsonLine(l);
          if (p.ok) records.push(p.value as Record<string, unknown>);
        }
      }
      files.push(records);
    }
  }
  return files;
}

/**
 * Make a world's exports arrive as real ones do: late and more than once. For each JSON Lines export of each date
 * from `from` to `to` − 1, about one line in eight is moved to the next date's file of the same entity (a post whose
 * likes landed the day before it, a reply before its parent, a profile after the mentions of its username), and
 * about one in twenty is also copied there (a record landed twice). Deterministic; identities.csv (a full snapshot
 * every day) is left alone. Returns how many lines were moved and copied.
 */
export function delayAndRepeat(ctx: Context, from: string, to: string): { moved: number; copied: number } {
  const exportsDir = path.join(ctx.layout.root, "exports");
  let moved = 0;
  let copied = 0;
  // latest first, so that no line moves twice
  for (let d = addDays(to, -1); d >= from; d = addDays(d, -1)) {
    for (const network of fs.readdirSync(exportsDir).sort()) {
      const dayDir = path.join(exportsDir, network, d);
      const nextDir = path.join(exportsDir, network, addDays(d, 1));
      if (!fs.existsSync(dayDir) || !fs.existsSync(nextDir)) continue;
      for (const file of fs.readdirSync(dayDir).filter((f) => f.endsWith(".jsonl")).sort()) {
        const lines = fs.readFileSync(path.join(dayDir, file), "utf8").split("\n").filter((l) => l !== "");
        const [stay, later]: string[][] = [[], []];
        for (const [i, line] of lines.entries()) {
          const h = (i * 2654435761 + file.length * 97) % 100;
          if (h < 12) {
            later.push(line);
            moved++;
          } else {
            stay.push(line);
            if (h < 17) {
              later.push(line);
              copied++;
            }
          }
        }
        fs.writeFileSync(path.join(dayDir, file), stay.map((l) => `${l}\n`).join(""));
        fs.appendFileSync(path.join(nextDir, file), later.map((l) => `${l}\n`).join(""));
      }
    }
  }
  return { moved, copied };
}

/** Run the nightly for every date from `from` to `to`. */
export async function runNights(ctx: Context, from: string, to: string): Promise<void> {
  for (let d = from; d <= to; d = addDays(d, 1)) await runNight(ctx, { date: d });
}

/** Query the warehouse of a context read-only (no night may be running). */
export async function queryWarehouse<T extends Record<string, unknown>>(ctx: Context, sql: string, params?: (string | number)[]): Promise<T[]> {
  const wh = await Warehouse.open({ path: ctx.layout.warehouse, readOnly: true, threads: 1 });
  try {
    return await wh.all<T>(sql, params);
  } finally {
    wh.close();
  }
}
