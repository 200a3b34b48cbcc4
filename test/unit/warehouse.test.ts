import { afterEach, describe, expect, it } from "vitest";
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
