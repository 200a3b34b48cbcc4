import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ingest } from "../../pipelines/ingest/ingest.ts";
import { specRef, workerEntry } from "../../pipelines/ingest/pool.ts";
import { genericSpec, parseGenericFlags } from "../../pipelines/networks/generic.ts";
import { SOURCES } from "../../pipelines/registry.ts";
import type { NetworkSpec } from "../../pipelines/types.ts";
import { DataLayout } from "../../src/lib/paths.ts";
import { tempDir } from "../helpers/warehouse.ts";
import { sampleWorld } from "../helpers/world.ts";

/** Every landed Parquet file under a lake, relative path → its rows as JSON lines, sorted. */
async function lakeRows(lake: string): Promise<Map<string, string[]>> {
  const inst = await DuckDBInstance.create(":memory:");
  const c = await inst.connect();
  await c.run("set TimeZone = 'UTC'");
  const out = new Map<string, string[]>();
  try {
    for (const kind of ["raw", "rejects"]) {
      const dir = path.join(lake, kind);
      if (!fs.existsSync(dir)) continue;
      for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
        if (!rel.endsWith(".parquet")) continue;
        const reader = await c.runAndReadAll(kind === "rejects" ? "select * exclude (run_id) from read_parquet($1)" : "select * from read_parquet($1)", [path.join(dir, rel)]);
        out.set(`${kind}/${rel}`, reader.getRowObjectsJson().map((r) => JSON.stringify(r)).sort());
      }
    }
  } finally {
    c.closeSync();
    inst.closeSync();
  }
  return out;
}

describe("ingest on worker threads", () => {
  it("lands exactly the rows that landing on this thread alone does, for every network", async () => {
    const a = await sampleWorld({ people: 150, days: 2, end: "2026-11-20", seed: 11 });
    const bRoot = tempDir("clout-workers-");
    fs.cpSync(a.layout.exports, path.join(bRoot, "exports"), { recursive: true });
    const b = new DataLayout(bRoot);
    // one bad line in one file: its reject must come out the same from a worker
    const likes = path.join(a.layout.exports, "twitter", "2026-11-20", "likes.jsonl");
    fs.appendFileSync(likes, '{"user_id": "", "tweet_id": "1"}\n');
    fs.appendFileSync(path.join(b.exports, "twitter", "2026-11-20", "likes.jsonl"), '{"user_id": "", "tweet_id": "1"}\n');
    const dates = ["2026-11-19", "2026-11-20"];
    const sources = Object.values(SOURCES);
    const one = await ingest({ layout: a.layout, runId: "one", dates, sources, parallelism: 1 });
    const progress: string[] = [];
    // every batch through the workers (landHere false); then this thread and a worker together, as ingest runs
    const two = await ingest({ layout: b, runId: "two", dates, sources, parallelism: 2, workerMinBytes: 0, landHere: false, onProgress: (t) => progress.push(t) });
    const counts = (rs: typeof one) => rs.flatMap((r) => r.files.map((f) => `${f.source}/${f.entity}/${f.date}: ${f.status} ${f.lines_read} ${f.accepted} ${f.rejected}`));
    expect(counts(two)).toEqual(counts(one));
    expect(counts(one).some((c) => c.startsWith("twitter/likes/2026-11-20: landed") && c.endsWith(" 1"))).toBe(true);
    // progress: files done, records so far and a rate; the last line has every file and every line read
    const files = two.flatMap((r) => r.files).filter((f) => f.file !== null);
    const lines = files.reduce((s, f) => s + f.lines_read, 0);
    expect(progress.at(-1)).toMatch(new RegExp(`^ingest ${files.length}/${files.length} files, ${lines.toLocaleString("en-US")} records, [\\d,]+ records/s$`));
    const rowsA = await lakeRows(a.layout.lake);
    const rowsB = await lakeRows(b.lake);
    expect([...rowsB.keys()].sort()).toEqual([...rowsA.keys()].sort());
    expect(rowsA.size).toBeGreaterThan(20);
    for (const [file, rows] of rowsA) expect(rowsB.get(file), file).toEqual(rows);
    const cRoot = tempDir("clout-workers-");
    fs.cpSync(b.exports, path.join(cRoot, "exports"), { recursive: true });
    const c = new DataLayout(cRoot);
    // this thread and a worker, the worker started through tsx's loader rather than from the bundle
    const three = await ingest({ layout: c, runId: "three", dates, sources, parallelism: 2, workerMinBytes: 0, batchBytes: 1, bundleWorker: false });
    expect(counts(three)).toEqual(counts(one));
    const rowsC = await lakeRows(c.lake);
    expect([...rowsC.keys()].sort()).toEqual([...rowsA.keys()].sort());
    for (const [file, rows] of rowsA) expect(rowsC.get(file), file).toEqual(rows);
  }, 120_000);
});

describe("the worker's module", () => {
  it("is one bundle of the worker's TypeScript, importing packages by absolute URL", () => {
    const dir = tempDir("clout-worker-entry-");
    const entry = workerEntry(dir);
    expect(entry.href).toBe(pathToFileURL(path.join(dir, "ingest-worker.mjs")).href);
    const text = fs.readFileSync(entry, "utf8");
    const imports = [...text.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
    expect(imports.filter((i) => !i.startsWith("node:") && !i.startsWith("file:///"))).toEqual([]);
    expect(imports.some((i) => /\/zod\//.test(i))).toBe(true);
    expect(text).toContain("landBatch");
  });
});

describe("what crosses to a worker", () => {
  it("a registered entity goes by name, the generic adapter with its mapping, a stand-in network not at all", () => {
    expect(specRef(SOURCES.twitter, SOURCES.twitter.entities[0]!)).toEqual({ source: "twitter", entity: SOURCES.twitter.entities[0]!.entity });
    const mapping = parseGenericFlags({ delimiter: "space", header: false, columns: "actor_id=1,target_id=2,occurred_at=3,action=4", actions: "RT=repost", network: "twitter", time: "epoch_s" });
    const generic: NetworkSpec = { name: "generic", entities: [genericSpec(mapping)] };
    expect(specRef(generic, generic.entities[0]!)).toEqual({ source: "generic", entity: "interactions", mapping });
    const standIn: NetworkSpec = { name: "twitter", entities: [{ ...SOURCES.twitter.entities[0]!, schema: z.object({}) }] };
    expect(specRef(standIn, standIn.entities[0]!)).toBeUndefined();
  });
});
