import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { UserError } from "./errors.ts";

/**
 * One writer at a time per data directory: `<data>/clout.lock` holds the running command's PID. Creating
 * it is atomic (O_EXCL). A lock whose process is gone (a crash, kill -9) is detected and cleared.
 */
const LockInfo = z.object({ pid: z.number().int(), command: z.string(), run_id: z.string(), started_at: z.string(), host: z.string() });
type LockInfo = z.infer<typeof LockInfo>;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface Lock {
  release(): void;
  /** Set when a stale lock from a dead process was cleared to take this one. */
  cleared?: LockInfo;
}

export function acquireLock(dataRoot: string, command: string, runId: string): Lock {
  fs.mkdirSync(dataRoot, { recursive: true });
  const file = path.join(dataRoot, "clout.lock");
  const info: LockInfo = { pid: process.pid, command, run_id: runId, started_at: new Date().toISOString(), host: os.hostname() };
  let cleared: LockInfo | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, "wx");
      fs.writeSync(fd, JSON.stringify(info));
      fs.closeSync(fd);
      return {
        ...(cleared ? { cleared } : {}),
        release: () => {
          try {
            const held = LockInfo.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
            if (held.success && held.data.pid === process.pid && held.data.run_id === runId) fs.rmSync(file, { force: true });
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let held: LockInfo | undefined;
    try {
      const parsed = LockInfo.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
      if (parsed.success) held = parsed.data;
    } catch {
      // unreadable (being written right now, or truncated by a crash): treat as stale only if old
    }
    if (held && held.host === os.hostname() && alive(held.pid)) {
      throw new UserError(
        `another ${held.command} is running: run ${held.run_id} (PID ${held.pid}, started ${held.started_at})`,
        "wait for it to finish; `clout sql` and `clout status` work meanwhile",
      );
    }
    if (!held && Date.now() - fs.statSync(file).mtimeMs < 5000) {
      throw new UserError(`the lock ${file} is being taken by another process`, "try again in a moment");
    }
    // the holder is gone: clear its lock and try again
    cleared = held;
    fs.rmSync(file, { force: true });
  }
  throw new UserError(`could not take the lock ${file}`, "another process keeps taking it; try again");
}
