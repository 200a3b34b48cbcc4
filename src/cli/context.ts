import type { Command } from "commander";
import { resolveConfig, type CloutConfig } from "../lib/config.ts";
import { acquireLock } from "../lib/lock.ts";
import { DataLayout } from "../lib/paths.ts";
import { Warehouse } from "../lib/warehouse.ts";
import { Output } from "./output.ts";

export interface GlobalFlags {
  dataDir?: string;
  project?: string;
  memoryLimit?: string;
  threads?: string;
  config?: string;
  debug?: boolean;
}

/** Everything a command needs: the resolved configuration, the data layout and the output. */
export interface Context {
  config: CloutConfig;
  layout: DataLayout;
  out: Output;
}

export function contextOf(cmd: Command): Context {
  const g = cmd.optsWithGlobals<GlobalFlags>();
  const config = resolveConfig({
    flags: { dataDir: g.dataDir, projectDir: g.project, memoryLimit: g.memoryLimit, threads: g.threads, config: g.config },
  });
  return { config, layout: new DataLayout(config.dataDir), out: new Output() };
}

/** Open the warehouse for the length of `fn`, and always close it. */
export async function withWarehouse<T>(ctx: Context, fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await Warehouse.open({ path: ctx.layout.warehouse, memoryLimit: ctx.config.memoryLimit, threads: ctx.config.threads });
  try {
    return await fn(wh);
  } finally {
    wh.close();
  }
}

/** Hold the data directory's writer lock for the length of `fn` (see src/lib/lock.ts). */
export async function withLock<T>(ctx: Context, command: string, runId: string, fn: () => Promise<T>): Promise<T> {
  const lock = acquireLock(ctx.layout.root, command, runId);
  if (lock.cleared) ctx.out.warn(`cleared a stale lock left by ${lock.cleared.command} ${lock.cleared.run_id} (PID ${lock.cleared.pid}, no longer running)`);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}
