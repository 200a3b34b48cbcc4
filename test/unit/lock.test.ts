import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { acquireLock } from "../../src/lib/lock.ts";
import { tempDir } from "../helpers/warehouse.ts";

describe("the writer lock", () => {
  it("refuses a second writer while the first holds it, naming the run", () => {
    const dir = tempDir();
    const a = acquireLock(dir, "nightly", "run-a");
    expect(() => acquireLock(dir, "nightly", "run-b")).toThrow(`another nightly is running: run run-a (PID ${process.pid}`);
    a.release();
    const b = acquireLock(dir, "build", "run-b");
    b.release();
    expect(fs.existsSync(path.join(dir, "clout.lock"))).toBe(false);
  });

  it("clears a lock left by a dead process", async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ["-e", "0"]);
    const pid = child.pid!;
    await new Promise((r) => child.on("close", r));
    fs.writeFileSync(path.join(dir, "clout.lock"), JSON.stringify({ pid, command: "nightly", run_id: "dead-run", started_at: "2026-11-24T00:00:00Z", host: (await import("node:os")).hostname() }));
    const lock = acquireLock(dir, "nightly", "run-c");
    expect(lock.cleared?.run_id).toBe("dead-run");
    lock.release();
  });

  it("release does not remove a lock another run took", () => {
    const dir = tempDir();
    const a = acquireLock(dir, "nightly", "run-a");
    fs.writeFileSync(path.join(dir, "clout.lock"), JSON.stringify({ pid: process.pid, command: "nightly", run_id: "run-z", started_at: "x", host: "h" }));
    a.release();
    expect(fs.existsSync(path.join(dir, "clout.lock"))).toBe(true);
  });
});
