import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DUCKDB_MEMORY_SHARE, bytesOf, duckdbMemoryLimit } from "../../src/lib/memory.ts";
import { Warehouse } from "../../src/lib/warehouse.ts";
import { memoryWarehouse } from "../helpers/warehouse.ts";

describe("warehouse settings", () => {
  let wh: Warehouse | undefined;
  afterEach(() => wh?.close());

  it("every connection shows times in UTC, writes no dictionary compression and returns freed memory in the background", async () => {
    wh = await memoryWarehouse();
    const setting = async (name: string) => (await wh!.one<{ v: string }>(`select current_setting('${name}')::varchar as v`))!.v;
    expect(await setting("TimeZone")).toBe("UTC");
    expect((await setting("disabled_compression_methods")).toLowerCase()).toContain("dictionary");
    expect(await setting("allocator_background_threads")).toBe("true");
  });
});

describe("the meta tables", () => {
  it("gain the columns added since a warehouse was made when it is opened again", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clout-meta-"));
    try {
      const file = path.join(dir, "warehouse.duckdb");
      let wh = await Warehouse.open({ path: file });
      // meta.test_written_keys as the twenty-fourth session made it, with a logged key
      await wh.run("alter table meta.test_written_keys drop column key_date");
      await wh.run("insert into meta.test_written_keys values ('m', 42)");
      wh.close();
      wh = await Warehouse.open({ path: file });
      try {
        expect(await wh.all("select model, key_hash::integer as key_hash, key_date from meta.test_written_keys")).toEqual([{ model: "m", key_hash: 42, key_date: null }]);
      } finally {
        wh.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the memory limit", () => {
  it("gives DuckDB its share of the process's limit, split between engines, in MiB", () => {
    expect(bytesOf("4GB")).toBe(4e9);
    expect(bytesOf("2GiB")).toBe(2 * 2 ** 30);
    expect(bytesOf("512 MB")).toBe(512e6);
    expect(bytesOf("lots")).toBeUndefined();
    // 12GB = 12e9 bytes; 80% is 9.6e9 bytes = 9155.27 MiB
    expect(DUCKDB_MEMORY_SHARE).toBe(0.8);
    expect(duckdbMemoryLimit("12GB")).toBe("9155MiB");
    expect(duckdbMemoryLimit("4GB", 2)).toBe("1525MiB");
    expect(duckdbMemoryLimit("1MB", 4)).toBe("64MiB");
    expect(duckdbMemoryLimit("80%")).toBe("80%");
  });

  it("opens DuckDB with that share, not the whole limit", async () => {
    const wh = await Warehouse.open({ path: ":memory:", memoryLimit: "2GiB" });
    try {
      // 2GiB × 0.8 = 1638.4 → 1638 MiB (1.5996 GiB), which DuckDB shows cut to one decimal: 1.5 GiB
      const v = (await wh.one<{ v: string }>(`select current_setting('memory_limit')::varchar as v`))!.v;
      expect(v).toBe("1.5 GiB");
    } finally {
      await wh.close();
    }
  });
});
