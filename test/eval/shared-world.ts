import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Context } from "../../src/cli/context.ts";
import { quietContext, runNights, sampleWorld } from "../helpers/world.ts";

/**
 * One small generated world, backfilled night by night, shared by the test files that only read it
 * (test/cli/views.test.ts, test/eval/evaluate.test.ts): vitest runs files in separate processes, so the
 * first one to ask builds it under a lock and the others wait for it. It lives in the OS temp dir under
 * the id of the vitest process (their common parent); worlds of earlier runs whose process is gone are
 * removed. Nobody may write to it.
 */
export const WORLD = { people: 300, days: 5, end: "2026-11-24", seed: 7 } as const;
export const WORLD_FIRST_NIGHT = "2026-11-20";

const PREFIX = "clout-eval-world-";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function removeStale(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (m && Number(m[1]) !== process.ppid && !alive(Number(m[1]))) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

export async function sharedWorld(timeoutMs = 170_000): Promise<Context> {
  const key = `${PREFIX}${process.ppid}-${WORLD.people}p${WORLD.days}d${WORLD.seed}`;
  const dir = path.join(os.tmpdir(), key);
  const ready = path.join(dir, ".ready");
  const lock = path.join(os.tmpdir(), `${key}.lock`);
  if (fs.existsSync(ready)) return quietContext(dir);
  let owner = false;
  try {
    fs.mkdirSync(lock);
    owner = true;
  } catch {
    // another test process is building it
  }
  if (owner) {
    try {
      removeStale();
      const ctx = await sampleWorld(WORLD);
      await runNights(ctx, WORLD_FIRST_NIGHT, WORLD.end);
      fs.rmSync(dir, { recursive: true, force: true });
      // the published link is relative (published → published-<run>), so the directory can move
      fs.renameSync(ctx.layout.root, dir);
      fs.writeFileSync(ready, new Date().toISOString());
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
    return quietContext(dir);
  }
  const t0 = Date.now();
  while (!fs.existsSync(ready)) {
    if (!fs.existsSync(lock) && !fs.existsSync(ready)) throw new Error(`the shared test world ${dir} was not built (its builder failed)`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for the shared test world ${dir}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return quietContext(dir);
}
