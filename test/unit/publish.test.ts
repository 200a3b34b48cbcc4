import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { publish } from "../../src/lib/publish.ts";
import { memoryWarehouse, removeTempDirs, tempDir } from "../helpers/warehouse.ts";

afterAll(removeTempDirs);

describe("publish", () => {
  it("frees what a failed publish left before writing, and keeps the last good publish when it fails itself", async () => {
    const wh = await memoryWarehouse();
    try {
      await wh.run("create table marts.fct_x as select range as id from range(3)");
      const root = tempDir();
      const first = await publish(wh, root, "20261101T000000Z-aaaaaa");
      expect(first.tables.map((t) => [t.table, t.rows])).toEqual([["fct_x", 3]]);
      // a publish that died while writing (a full disk): its snapshot and link temporaries are left behind
      const stale = path.join(root, "published-20261102T000000Z-bbbbbb.tmp");
      fs.mkdirSync(stale);
      fs.writeFileSync(path.join(stale, "fct_x.parquet"), Buffer.alloc(1024));
      fs.writeFileSync(path.join(root, "published.tmp-20261102T000000Z-bbbbbb"), "");
      // this publish fails at its last step (its snapshot's name is taken), after writing its files
      const runId = "20261103T000000Z-cccccc";
      fs.writeFileSync(path.join(root, `published-${runId}`), "in the way");
      await expect(publish(wh, root, runId)).rejects.toThrow();
      // the earlier failure's temporaries were removed before it wrote; its own is left for the next publish
      expect(fs.readdirSync(root).sort()).toEqual(["published", "published-20261101T000000Z-aaaaaa", `published-${runId}`, `published-${runId}.tmp`]);
      // the last good publish is still the one readers see
      expect(fs.readlinkSync(path.join(root, "published"))).toBe("published-20261101T000000Z-aaaaaa");
      fs.rmSync(path.join(root, `published-${runId}`));
      await publish(wh, root, runId);
      expect(fs.readdirSync(root).sort()).toEqual(["published", "published-20261101T000000Z-aaaaaa", `published-${runId}`]);
    } finally {
      wh.close();
    }
  });
});
