import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { compactWarehouse, inventoryDiff, olderStorage, warehouseFileInfo } from "../../src/lib/compact.ts";
import { UserError } from "../../src/lib/errors.ts";
import { STORAGE_VERSION, Warehouse } from "../../src/lib/warehouse.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/warehouse.ts";

/**
 * A warehouse file whose table was replaced a few times, as nights do, so that many of its blocks are free. With
 * `storageVersion` the file is first created in that storage format, as an older Clout (which left DuckDB's default,
 * the 1.0 format) created it.
 */
async function grownWarehouse(dir: string, storageVersion?: string): Promise<string> {
  const file = path.join(dir, "warehouse.duckdb");
  if (storageVersion) {
    const old = await DuckDBInstance.create(file, { storage_compatibility_version: storageVersion });
    old.closeSync();
  }
  const wh = await Warehouse.open({ path: file, threads: 1, memoryLimit: "1GB" });
  try {
    await wh.run("create schema s; create sequence s.ids");
    // the tables of earlier nights, then tonight's after them in the file, then the earlier ones dropped: their
    // blocks are free, and the file keeps its length because tonight's table sits behind them
    for (let night = 0; night < 4; night++) {
      await wh.run(`create table s.t_${night} as select i, 'row ' || (i + ${night}) || repeat('x', 40) as v from range(400000) as r(i)`);
      await wh.run("checkpoint");
    }
    await wh.run(`create table s.t as select i, 'row ' || (i + 4) || repeat('x', 40) as v from range(400000) as r(i)`);
    await wh.run("checkpoint");
    for (let night = 0; night < 4; night++) await wh.run(`drop table s.t_${night}`);
    await wh.run("checkpoint");
    await wh.run("create view s.big as select count(*) as n, sum(i) as total from s.t where i % 2 = 0");
    // an EXCLUDE list, as staging models have (they were views until the eighth session): once the file is reopened
    // DuckDB shows it as written here, and the copy shows it in another order, (_source_line, dt); the copy is still
    // the same view
    await wh.run("create view s.narrow as select * exclude (dt, _source_line) from (select i, v, 1 as dt, 2 as _source_line from s.t)");
    await wh.run("insert into meta.runs (run_id, command, status, started_at) values ('r1', 'nightly', 'success', now())");
  } finally {
    wh.close();
  }
  return file;
}

async function contents(file: string): Promise<unknown> {
  const wh = await Warehouse.open({ path: file, readOnly: true, threads: 1, memoryLimit: "1GB" });
  try {
    return {
      t: await wh.one("select count(*)::integer as n, sum(hash(i, v))::varchar as h from s.t"),
      view: await wh.one("select n::integer as n, total::varchar as total from s.big"),
      narrow: await wh.all("select column_name, data_type from duckdb_columns() where table_name = 'narrow' order by column_index"),
      runs: await wh.all("select run_id, command from meta.runs"),
      seq: await wh.one("select count(*)::integer as n from duckdb_sequences() where sequence_name = 'ids'"),
    };
  } finally {
    wh.close();
  }
}

describe("clout compact", () => {
  it("rewrites the warehouse without its free blocks: a smaller file with the same tables, rows, views and sequences", async () => {
    const dir = tempDir("clout-compact-");
    const file = await grownWarehouse(dir);
    const before = await contents(file);
    // what a crashed compact would have left
    fs.writeFileSync(`${file}.compact-20261124T000000Z-dead00`, "half a copy");
    const said: string[] = [];
    const r = await compactWarehouse(file, { runId: "20261125T000000Z-abc123", threads: 1, memoryLimit: "1GB", say: (t) => said.push(t) });
    expect(r.free_share).toBeGreaterThan(0.5);
    expect(r.after_bytes).toBeLessThan(r.before_bytes / 2);
    expect(fs.statSync(file).size).toBe(r.after_bytes);
    expect(r.rows).toBeGreaterThanOrEqual(400_001);
    expect(await contents(file)).toEqual(before);
    // nothing left beside it: no copy, no WAL
    expect(fs.readdirSync(dir).sort()).toEqual(["warehouse.duckdb"]);
    expect(said.some((l) => /left by a compact that did not finish/.test(l))).toBe(true);
    // a warehouse this Clout created is already in the current format
    expect([r.before_storage_version, r.after_storage_version]).toEqual([`${STORAGE_VERSION}+`, `${STORAGE_VERSION}+`]);
    // and it still opens read-write, as a night needs
    const wh = await Warehouse.open({ path: file, threads: 1, memoryLimit: "1GB" });
    await wh.run("create or replace table s.t as select 1 as i, 'x' as v");
    wh.close();
  });

  it("rewrites a warehouse an older Clout created (DuckDB's 1.0 format) in the current format, with the same contents", async () => {
    const dir = tempDir("clout-compact-");
    const file = await grownWarehouse(dir, "v1.0.0");
    const before = await contents(file);
    const version = async () => {
      const wh = await Warehouse.open({ path: file, readOnly: true, threads: 1, memoryLimit: "1GB" });
      try {
        return (await warehouseFileInfo(wh)).storage_version;
      } finally {
        wh.close();
      }
    };
    // opening it with this Clout (which asks for the new format) does not change an existing file's format
    expect(await version()).toBe("v1.0.0+");
    const r = await compactWarehouse(file, { runId: "20261126T000000Z-abc123", threads: 1, memoryLimit: "1GB" });
    expect([r.before_storage_version, r.after_storage_version]).toEqual(["v1.0.0+", `${STORAGE_VERSION}+`]);
    expect(await version()).toBe(`${STORAGE_VERSION}+`);
    expect(await contents(file)).toEqual(before);
  });

  it("tells an older storage format from the current one", () => {
    expect(olderStorage("v1.0.0+")).toBe(true);
    expect(olderStorage("v1.4.9+")).toBe(true);
    expect(olderStorage(`${STORAGE_VERSION}+`)).toBe(false);
    expect(olderStorage("v1.6.0+")).toBe(false);
    expect(olderStorage("v2.0.0+")).toBe(false);
    expect(olderStorage("unknown")).toBe(false);
  });

  it("names what a copy is missing or holds differently", () => {
    const a = { tables: new Map([["s.t", 10], ["s.u", 1]]), columns: new Map([["s.t", "i BIGINT"], ["s.v", "n BIGINT"]]), views: new Set(["s.v", "s.x"]), sequences: ["s.ids"] };
    expect(inventoryDiff(a, a)).toEqual([]);
    const b = { tables: new Map([["s.t", 9], ["s.w", 1]]), columns: new Map([["s.t", "i BIGINT"], ["s.v", "n INTEGER"]]), views: new Set(["s.v"]), sequences: [] };
    expect(inventoryDiff(a, b)).toEqual([
      "table s.t has 9 rows in the copy, 10 in the warehouse",
      "table s.u is missing from the copy",
      "table s.w is only in the copy",
      "view s.x is missing from the copy",
      "s.v has other columns in the copy: n INTEGER (the warehouse: n BIGINT)",
      "sequences differ: s.ids / ",
    ]);
  });

  it("refuses when there is no warehouse", async () => {
    await expect(compactWarehouse(path.join(tempDir("clout-compact-"), "warehouse.duckdb"), { runId: "r" })).rejects.toThrow(UserError);
  });

  it("the real binary: waits for no one — a running night's lock makes it fail with one error line, and the warehouse is untouched", async () => {
    const dir = tempDir("clout-compact-");
    const file = await grownWarehouse(dir, "v1.0.0");
    const size = fs.statSync(file).size;
    fs.writeFileSync(path.join(dir, "clout.lock"), JSON.stringify({ pid: process.pid, command: "nightly", run_id: "run-x", started_at: "2026-11-25T00:00:00Z", host: os.hostname() }));
    const locked = await runCli(["--data-dir", dir, "compact"]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/^error: .*nightly/m);
    expect(fs.statSync(file).size).toBe(size);
    fs.rmSync(path.join(dir, "clout.lock"));
    // `clout status` shows the free share, and suggests compacting
    const before = JSON.parse((await runCli(["--data-dir", dir, "status", "--json"])).stdout) as { warehouse_file: { bytes: number; free_share: number } };
    expect(before.warehouse_file.free_share).toBeGreaterThan(0.5);
    const statusBefore = (await runCli(["--data-dir", dir, "status"])).stdout;
    expect(statusBefore).toMatch(/^warehouse .*: [\d.]+ GiB, \d+% of its blocks free \(`clout compact` gives them back to the disk\)$/m);
    expect(statusBefore).toMatch(new RegExp(`^storage format v1\\.0\\.0\\+ \\(older than new warehouses' ${STORAGE_VERSION.replaceAll(".", "\\.")}: \`clout compact\` rewrites it`, "m"));
    const ok = await runCli(["--data-dir", dir, "compact"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(`compacted .*warehouse\\.duckdb: .* GiB → .* GiB \\(\\d+ tables, [\\d,]+ rows, \\d+ views\\) in .*; storage format v1\\.0\\.0\\+ → ${STORAGE_VERSION.replaceAll(".", "\\.")}\\+$`, "m"),
    );
    expect(fs.statSync(file).size).toBeLessThan(size / 2);
    const after = JSON.parse((await runCli(["--data-dir", dir, "status", "--json"])).stdout) as { warehouse_file: { bytes: number; free_share: number; storage_version: string }; runs: { command: string; status: string; message: string }[] };
    expect(after.warehouse_file.free_share).toBeLessThan(0.3);
    expect(after.warehouse_file.storage_version).toBe(`${STORAGE_VERSION}+`);
    // the run is recorded in the new file, finished
    expect(after.runs.find((r) => r.command === "compact")).toMatchObject({ status: "success", message: expect.stringMatching(/ GiB → .* GiB/) });
    const statusAfter = (await runCli(["--data-dir", dir, "status"])).stdout;
    expect(statusAfter).not.toMatch(/clout compact/);
    expect(statusAfter).toMatch(new RegExp(`^storage format ${STORAGE_VERSION.replaceAll(".", "\\.")}\\+$`, "m"));
  });
});
