import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { zId, zIsoTime } from "../../pipelines/fields.ts";
import { ingest, type SourceDateReport } from "../../pipelines/ingest/ingest.ts";
import { parseJsonLine, quoteBigIntegers } from "../../pipelines/ingest/jsonl.ts";
import { recover } from "../../pipelines/ingest/partition.ts";
import type { EntitySpec, NetworkSpec } from "../../pipelines/types.ts";
import { DataLayout } from "../../src/lib/paths.ts";
import { tempDir } from "../helpers/warehouse.ts";

/** A small stand-in network: posts with an id, an author, a time and tags; follows as CSV. */
const Post = z.object({ id: zId, author_id: zId, created_at: zIsoTime, text: z.string(), tags: z.array(z.string()).optional(), likes: z.number().int().nonnegative() });
const posts: EntitySpec<z.infer<typeof Post>> = {
  network: "twitter",
  entity: "posts",
  format: "jsonl",
  schema: Post,
  columns: [
    { name: "id", type: "VARCHAR" },
    { name: "author_id", type: "VARCHAR" },
    { name: "created_at", type: "TIMESTAMPTZ" },
    { name: "text", type: "VARCHAR" },
    { name: "tags", type: "VARCHAR[]" },
    { name: "likes", type: "BIGINT" },
  ],
  toRow: (p) => [p.id, p.author_id, p.created_at, p.text, p.tags ?? [], p.likes],
};
const Follow = z.object({ follower: zId, followed: zId });
const follows: EntitySpec<z.infer<typeof Follow>> = {
  network: "twitter",
  entity: "follows",
  format: "csv",
  schema: Follow,
  columns: [
    { name: "follower", type: "VARCHAR" },
    { name: "followed", type: "VARCHAR" },
  ],
  toRow: (f) => [f.follower, f.followed],
};
const net: NetworkSpec = { name: "twitter", entities: [posts, follows] };
const other: NetworkSpec = { name: "reddit", entities: [{ ...posts, network: "reddit" }] };

const good = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ id, author_id: "u1", created_at: "2026-11-24T10:00:00.000Z", text: "hi #x", tags: ["x"], likes: 3, ...extra });

function world(files: Record<string, string | Buffer>): DataLayout {
  const layout = new DataLayout(tempDir("clout-ingest-"));
  for (const [rel, content] of Object.entries(files)) {
    const f = path.join(layout.exports, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, content);
  }
  return layout;
}

async function run(layout: DataLayout, sources: NetworkSpec[] = [net], extra: { rejectThreshold?: number; dates?: string[] } = {}): Promise<SourceDateReport[]> {
  return ingest({ layout, runId: `r${Date.now()}${Math.random().toString(36).slice(2, 6)}`, dates: extra.dates ?? ["2026-11-24"], sources, rejectThreshold: extra.rejectThreshold ?? 1 });
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(":memory:");
  const c = await inst.connect();
  await c.run("set TimeZone = 'UTC'");
  const rows = (await c.runAndReadAll(sql)).getRowObjectsJson();
  c.closeSync();
  inst.closeSync();
  return rows as Record<string, unknown>[];
}

const rawGlob = (layout: DataLayout, entity = "posts", source = "twitter") => path.join(layout.lake, "raw", source, entity, "dt=*", "*.parquet");
const rejectsGlob = (layout: DataLayout, entity = "posts", source = "twitter") => path.join(layout.lake, "rejects", source, entity, "dt=*", "*.parquet");

describe("ingest: landing as typed Parquet", () => {
  it("lands valid records typed, with source file and line, and counts accepted + rejected = lines read", async () => {
    // an id beyond 2^64 written as a bare JSON number must stay exact
    const bigId = good("2").replace('"id":"2"', '"id":100000000000000000001');
    const layout = world({
      "twitter/2026-11-24/posts.jsonl": [good("1"), bigId, "", good("3")].join("\n") + "\n",
      "twitter/2026-11-24/follows.csv": "follower,followed\nu1,u2\nu2,u1\n",
    });
    const [r] = await run(layout);
    expect(r!.status).toBe("landed");
    const p = r!.files.find((f) => f.entity === "posts")!;
    expect([p.lines_read, p.accepted, p.rejected]).toEqual([4, 3, 1]);
    const rows = await query(`select id, author_id, created_at::varchar as created_at, tags, likes, _source_file, _source_line, typeof(likes) as t, dt::varchar as dt from read_parquet('${rawGlob(layout)}', hive_partitioning = true) order by _source_line`);
    expect(rows.map((x) => x.id)).toEqual(["1", "100000000000000000001", "3"]);
    expect(rows[0]).toMatchObject({ author_id: "u1", created_at: "2026-11-24 10:00:00+00", tags: ["x"], likes: "3", t: "BIGINT", _source_file: "exports/twitter/2026-11-24/posts.jsonl", _source_line: "1", dt: "2026-11-24" });
    const rej = await query(`select source_line, raw_text, reason from read_parquet('${rejectsGlob(layout)}')`);
    expect(rej).toEqual([{ source_line: "3", raw_text: "", reason: "empty line" }]);
    expect(await query(`select * from read_parquet('${rawGlob(layout, "follows")}') order by 1`)).toMatchObject([{ follower: "u1", followed: "u2" }, { follower: "u2", followed: "u1" }]);
  });

  it("quarantines each kind of bad record with a readable reason", async () => {
    const lines = [
      "{not json",
      JSON.stringify({ id: "1", author_id: "u1", created_at: "2026-11-24T10:00:00Z", text: "x", likes: "three" }),
      JSON.stringify({ id: "2", created_at: "2026-11-24T10:00:00Z", text: "x", likes: 1 }),
      JSON.stringify({ id: "3", author_id: "u1", created_at: "2026-02-30T10:00:00Z", text: "x", likes: 1 }),
      JSON.stringify({ id: "4", author_id: "u1", created_at: "yesterday", text: "x", likes: 1 }),
      "[1,2,3]",
      good("'; drop table raw.twitter__posts; --"),
      good("ünï©ødé-☃-👩‍👩‍👧"),
      good("6", { unknown_field: { nested: true } }),
    ];
    const layout = world({ "twitter/2026-11-24/posts.jsonl": `\uFEFF${lines.join("\r\n")}\r\n` });
    const [r] = await run(layout, [net]);
    const p = r!.files.find((f) => f.entity === "posts")!;
    expect([p.lines_read, p.accepted, p.rejected]).toEqual([9, 3, 6]);
    const rej = await query(`select source_line::integer as line, reason from read_parquet('${rejectsGlob(layout)}') order by 1`);
    expect(rej).toEqual([
      { line: 1, reason: expect.stringMatching(/^not valid JSON: /) },
      { line: 2, reason: expect.stringMatching(/^likes: /) },
      { line: 3, reason: expect.stringMatching(/^author_id: /) },
      { line: 4, reason: 'created_at: time "2026-02-30T10:00:00Z" is not a real date' },
      { line: 5, reason: 'created_at: time "yesterday" is not ISO 8601' },
      { line: 6, reason: "not a JSON object (got an array)" },
    ]);
    const ids = await query(`select id from read_parquet('${rawGlob(layout)}') order by _source_line`);
    expect(ids.map((x) => x.id)).toEqual(["'; drop table raw.twitter__posts; --", "ünï©ødé-☃-👩‍👩‍👧", "6"]);
    // missing follows file: reported, not fatal
    expect(r!.files.find((f) => f.entity === "follows")!.status).toBe("missing");
  });

  it("lands text exactly as written: NUL, escapes, newlines, emoji; a lone surrogate (no UTF-8 can hold it) as U+FFFD", async () => {
    const texts = ["nul a\u0000b", "quote \" back \\ slash", "new\nline", "emoji 😀", "lone \ud800 x", "\\ud800 written out"];
    const layout = world({ "twitter/2026-11-24/posts.jsonl": texts.map((t, i) => good(String(i + 1), { text: t })).join("\n") + "\n" });
    const [r] = await run(layout);
    expect(r!.status).toBe("landed");
    const rows = await query(`select text from read_parquet('${rawGlob(layout)}') order by _source_line`);
    expect(rows.map((x) => x.text)).toEqual(["nul a\u0000b", 'quote " back \\ slash', "new\nline", "emoji 😀", "lone \ufffd x", "\\ud800 written out"]);
  });

  it("lands the same partitions whether an entity's dates share one batch or each has its own", async () => {
    const dates = ["2026-11-22", "2026-11-23", "2026-11-24"];
    const files = {
      "twitter/2026-11-22/posts.jsonl": `${good("1")}\n{bad\n`,
      "twitter/2026-11-23/posts.jsonl": "",
      "twitter/2026-11-24/posts.jsonl": `${good("2")}\n${good("3")}\n`,
      "twitter/2026-11-24/follows.csv": "follower,followed\na,b\n",
    };
    const lakes: string[] = [];
    for (const batchBytes of [1, undefined]) {
      const layout = world(files);
      const reports = await ingest({ layout, runId: "r1", dates, sources: [net], rejectThreshold: 1, batchBytes });
      expect(reports.map((x) => `${x.date} ${x.status}`)).toEqual(dates.map((d) => `${d} landed`));
      const rows = await query(
        `select dt::varchar as dt, id, _source_file, _source_line from read_parquet('${rawGlob(layout)}', hive_partitioning = true)
         union all select dt::varchar, source_line::varchar, source_file, null from read_parquet('${rejectsGlob(layout)}', hive_partitioning = true) order by all`,
      );
      lakes.push(JSON.stringify(rows));
      // every date has a partition, an empty file's too
      expect(fs.readdirSync(path.join(layout.lake, "raw", "twitter", "posts")).sort()).toEqual(dates.map((d) => `dt=${d}`));
      expect(fs.readdirSync(path.join(layout.lake, "rejects", "twitter", "posts")).sort()).toEqual(dates.map((d) => `dt=${d}`));
    }
    expect(lakes[1]).toBe(lakes[0]);
    // each date gets one file holding each of its lines once, also when a date starts just before the end of one
    // of DuckDB's 2048-row vectors (where a partitioned COPY moves rows within the file: their order is not kept,
    // _source_line is)
    const big = world({
      "twitter/2026-11-23/posts.jsonl": Array.from({ length: 2040 }, (_, i) => good(`a${i}`)).join("\n"),
      "twitter/2026-11-24/posts.jsonl": Array.from({ length: 5000 }, (_, i) => good(String(i))).join("\n"),
    });
    await ingest({ layout: big, runId: "r2", dates: ["2026-11-23", "2026-11-24"], sources: [net], rejectThreshold: 1 });
    const inst = await DuckDBInstance.create(":memory:", { threads: "1" });
    const c = await inst.connect();
    for (const [date, n, id] of [["2026-11-23", 2040, (i: number) => `a${i}`], ["2026-11-24", 5000, String]] as const) {
      const dir = path.join(big.lake, "raw", "twitter", "posts", `dt=${date}`);
      expect(fs.readdirSync(dir)).toEqual(["part-0.parquet"]);
      const got = (await c.runAndReadAll("select _source_line::integer, id from read_parquet($1) order by 1", [path.join(dir, "part-0.parquet")])).getRows();
      expect(got).toEqual(Array.from({ length: n }, (_, i) => [i + 1, id(i)]));
    }
    c.closeSync();
    inst.closeSync();
    expect(JSON.parse(lakes[0]!)).toEqual([
      { dt: "2026-11-22", id: "1", _source_file: "exports/twitter/2026-11-22/posts.jsonl", _source_line: "1" },
      { dt: "2026-11-22", id: "2", _source_file: "exports/twitter/2026-11-22/posts.jsonl", _source_line: null },
      { dt: "2026-11-24", id: "2", _source_file: "exports/twitter/2026-11-24/posts.jsonl", _source_line: "1" },
      { dt: "2026-11-24", id: "3", _source_file: "exports/twitter/2026-11-24/posts.jsonl", _source_line: "2" },
    ]);
  });

  it("lands an empty file as an empty partition, and gzip like plain text", async () => {
    const layout = world({ "twitter/2026-11-24/posts.jsonl.gz": gzipSync(`${good("1")}\n${good("2")}\n`), "twitter/2026-11-24/follows.csv": "" });
    const [r] = await run(layout);
    expect(r!.status).toBe("landed");
    expect(r!.files.map((f) => [f.entity, f.accepted, f.lines_read])).toEqual([["posts", 2, 2], ["follows", 0, 0]]);
    expect(await query(`select count(*)::integer as n from read_parquet('${rawGlob(layout, "follows")}')`)).toEqual([{ n: 0 }]);
  });

  it("re-landing a date replaces it: never duplicates", async () => {
    const layout = world({ "twitter/2026-11-24/posts.jsonl": `${good("1")}\n${good("2")}\n` });
    await run(layout);
    await run(layout);
    fs.writeFileSync(path.join(layout.exports, "twitter/2026-11-24/posts.jsonl"), `${good("1")}\n`);
    await run(layout);
    expect(await query(`select id from read_parquet('${rawGlob(layout)}')`)).toEqual([{ id: "1" }]);
    expect(fs.readdirSync(path.join(layout.lake, "raw", "twitter", "posts"))).toEqual(["dt=2026-11-24"]);
  });

  it("an unreadable file fails its source-date with one error naming the file; earlier data and other sources are untouched", async () => {
    const layout = world({
      "twitter/2026-11-24/posts.jsonl": `${good("1")}\n`,
      "twitter/2026-11-24/follows.csv": "follower,followed\na,b\n",
      "reddit/2026-11-24/posts.jsonl": `${good("9")}\n`,
    });
    await run(layout, [net, other]);
    const bigGzip = gzipSync(Array.from({ length: 30000 }, (_, i) => good(String(i), { text: randomBytes(40).toString("hex") })).join("\n"));
    expect(bigGzip.length).toBeGreaterThan(1 << 20);
    const cases: [string, string | Buffer, RegExp][] = [
      ["posts.jsonl.gz", gzipSync(`${good("1")}\n`.repeat(500)).subarray(0, 200), /cannot read ".*posts\.jsonl\.gz": truncated gzip stream/],
      // a big one (over 1 MB compressed) is streamed rather than read whole; it fails the same way
      ["posts.jsonl.gz", bigGzip.subarray(0, bigGzip.length - 100), /cannot read ".*posts\.jsonl\.gz": truncated gzip stream/],
      ["posts.jsonl", `[${good("5")}]\n`, /cannot read ".*posts\.jsonl": not JSON Lines: line 1 starts with "\[/],
      ["posts.jsonl", `${good("5")}\n${"x".repeat(10 * 1024 * 1024 + 10)}\n`, /cannot read ".*posts\.jsonl": line 2 is longer than 10485760 bytes/],
    ];
    for (const [name, content, error] of cases) {
      for (const f of fs.readdirSync(path.join(layout.exports, "twitter/2026-11-24"))) if (f.startsWith("posts")) fs.rmSync(path.join(layout.exports, "twitter/2026-11-24", f));
      fs.writeFileSync(path.join(layout.exports, "twitter/2026-11-24", name), content);
      fs.writeFileSync(path.join(layout.exports, "twitter/2026-11-24/follows.csv"), "follower,followed\nc,d\n");
      const [tw, rd] = await run(layout, [net, other]);
      expect(tw!.status).toBe("failed");
      expect(tw!.message).toMatch(error);
      expect(rd!.status).toBe("landed");
      // earlier landed data is untouched, for every entity of the failed source-date
      expect(await query(`select id from read_parquet('${rawGlob(layout)}')`)).toEqual([{ id: "1" }]);
      expect(await query(`select follower from read_parquet('${rawGlob(layout, "follows")}')`)).toEqual([{ follower: "a" }]);
    }
  });

  it("a file that fails part-way leaves nothing behind for the next file landed on the same connection", async () => {
    // stand-in specs land on this thread, one DuckDB connection for every file, reusing its landing tables
    const layout = world({
      "twitter/2026-11-23/posts.jsonl": `${good("1")}\nnot json\n${"x".repeat(10 * 1024 * 1024 + 10)}\n`,
      "twitter/2026-11-24/posts.jsonl": `${good("2")}\n${good("3")}\n`,
      "reddit/2026-11-24/posts.jsonl": `${good("4")}\nnot json\n`,
    });
    const reports = await run(layout, [net, other], { dates: ["2026-11-23", "2026-11-24"] });
    expect(reports.map((r) => `${r.source} ${r.date} ${r.status}`)).toEqual(["twitter 2026-11-23 failed", "reddit 2026-11-23 no-exports", "twitter 2026-11-24 landed", "reddit 2026-11-24 landed"]);
    expect(await query(`select id, dt::varchar as dt from read_parquet('${rawGlob(layout)}', hive_partitioning = true) order by id`)).toEqual([{ id: "2", dt: "2026-11-24" }, { id: "3", dt: "2026-11-24" }]);
    expect(await query(`select count(*)::integer as n from read_parquet('${rejectsGlob(layout)}')`)).toEqual([{ n: 0 }]);
    expect(await query(`select id from read_parquet('${rawGlob(layout, "posts", "reddit")}')`)).toEqual([{ id: "4" }]);
    expect(await query(`select source_line::integer as line from read_parquet('${rejectsGlob(layout, "posts", "reddit")}')`)).toEqual([{ line: 2 }]);
  });

  it("a reject rate above the threshold fails the source-date but still quarantines the rejects", async () => {
    const layout = world({ "twitter/2026-11-24/posts.jsonl": `${good("1")}\n{bad\n${good("2")}\n` });
    const [r] = await run(layout, [net], { rejectThreshold: 0.05 });
    expect(r!.status).toBe("failed");
    expect(r!.message).toMatch(/reject rate 33\.3% exceeds 5\.0%/);
    expect(fs.existsSync(path.join(layout.lake, "raw", "twitter", "posts"))).toBe(false);
    expect(await query(`select count(*)::integer as n from read_parquet('${rejectsGlob(layout)}')`)).toEqual([{ n: 1 }]);
  });

  it("refuses dates and sources that would leave the data root", async () => {
    const layout = world({});
    await expect(ingest({ layout, runId: "r1", dates: ["../../etc"], sources: [net] })).rejects.toThrow(/leads outside the data directory/);
  });

  it("recovery puts back a partition renamed aside by a crash, and drops stale staging", () => {
    const layout = world({});
    const edir = path.join(layout.lake, "raw", "twitter", "posts");
    fs.mkdirSync(path.join(edir, ".old-dt=2026-11-24-rX"), { recursive: true });
    fs.writeFileSync(path.join(edir, ".old-dt=2026-11-24-rX", "part-0.parquet"), "old");
    fs.mkdirSync(path.join(layout.lake, ".staging", "rX", "raw"), { recursive: true });
    const r = recover(layout.lake);
    expect(r.restored).toEqual([path.join(edir, "dt=2026-11-24")]);
    expect(fs.readFileSync(path.join(edir, "dt=2026-11-24", "part-0.parquet"), "utf8")).toBe("old");
    expect(fs.existsSync(path.join(layout.lake, ".staging", "rX"))).toBe(false);
  });
});

describe("big integer ids", () => {
  it("quotes bare integers of 16+ digits outside strings only", () => {
    expect(quoteBigIntegers('{"id":18446744073709551616,"n":12,"s":"1234567890123456789","f":1234567890123456.5}')).toBe(
      '{"id":"18446744073709551616","n":12,"s":"1234567890123456789","f":1234567890123456.5}',
    );
    expect(quoteBigIntegers('{"a":[-9223372036854775809, 1],"t":"x\\"12345678901234567"}')).toBe('{"a":["-9223372036854775809", 1],"t":"x\\"12345678901234567"}');
  });
  it("leaves the digits of a fraction or an exponent alone on a line that has a big id", () => {
    // a double's shortest form can have 17 digits after the point; on a line with a bare big id, these were
    // once quoted as an integer of their own (0."30000000000000004"), and the record was rejected as not JSON
    const line = '{"id":1234567890123456789,"lat":0.30000000000000004,"lon":-12.3456789012345678,"x":1e-1234567890123456,"y":2E+1234567890123456}';
    expect(quoteBigIntegers(line)).toBe(line.replace("1234567890123456789", '"1234567890123456789"'));
    expect(parseJsonLine(line)).toEqual({ ok: true, value: { id: "1234567890123456789", lat: 0.30000000000000004, lon: -12.345678901234567, x: 0, y: Infinity } });
  });
});
