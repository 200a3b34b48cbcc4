import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULTS, resolveConfig } from "../../src/lib/config.ts";
import { parseDate } from "../../src/lib/dates.ts";
import { resolveInside } from "../../src/lib/paths.ts";
import { tempDir } from "../helpers/warehouse.ts";

describe("configuration order: defaults < config file < environment < flags", () => {
  it("takes each source over the one before", () => {
    const cwd = tempDir();
    expect(resolveConfig({ cwd, env: {} })).toEqual({ ...DEFAULTS, dataDir: path.join(cwd, "data"), projectDir: DEFAULTS.projectDir });
    fs.writeFileSync(path.join(cwd, "clout.config.json"), JSON.stringify({ dataDir: "from-file", threads: 3, memoryLimit: "2GB" }));
    expect(resolveConfig({ cwd, env: {} })).toMatchObject({ dataDir: path.join(cwd, "from-file"), threads: 3, memoryLimit: "2GB" });
    expect(resolveConfig({ cwd, env: { CLOUT_DATA_DIR: "/srv/env", CLOUT_THREADS: "4" } })).toMatchObject({ dataDir: "/srv/env", threads: 4, memoryLimit: "2GB" });
    expect(resolveConfig({ cwd, env: { CLOUT_DATA_DIR: "/srv/env" }, flags: { dataDir: "flag", threads: "1" } })).toMatchObject({ dataDir: path.join(cwd, "flag"), threads: 1 });
  });

  it("rejects bad values with the value quoted", () => {
    const cwd = tempDir();
    expect(() => resolveConfig({ cwd, env: { CLOUT_THREADS: "two" } })).toThrow(`invalid threads "two"`);
    expect(() => resolveConfig({ cwd, env: {}, flags: { memoryLimit: "1 potato" } })).toThrow(`invalid memoryLimit "1 potato"`);
    fs.writeFileSync(path.join(cwd, "clout.config.json"), JSON.stringify({ dataDirr: "x" }));
    expect(() => resolveConfig({ cwd, env: {} })).toThrow(/config file ".*clout.config.json" is invalid/);
    expect(() => resolveConfig({ cwd: tempDir(), env: { CLOUT_CONFIG: "missing.json" } })).toThrow(/config file ".*missing.json" does not exist/);
  });
});

describe("paths stay inside the data directory", () => {
  it("joins plain names and refuses escapes", () => {
    expect(resolveInside("/data", "lake", "raw", "twitter")).toBe("/data/lake/raw/twitter");
    expect(() => resolveInside("/data", "lake", "../../etc")).toThrow(`path "lake/../../etc" leads outside the data directory "/data"`);
    expect(() => resolveInside("/data", "/etc/passwd")).toThrow(/leads outside/);
    expect(() => resolveInside("/data", "a\0b")).toThrow(/NUL byte/);
    expect(resolveInside("/data", "a/../b")).toBe("/data/b");
  });
});

describe("dates", () => {
  it("accepts real calendar dates only", () => {
    expect(parseDate("2024-02-29")).toBe("2024-02-29");
    for (const bad of ["2026-02-29", "2026-1-1", "20261124", "2026-11-24T00:00", "'; drop table x; --"]) expect(() => parseDate(bad)).toThrow(/invalid --date/);
  });
});
