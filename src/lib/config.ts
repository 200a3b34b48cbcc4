import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { UserError, quote } from "./errors.ts";
import { INSTALL_DIR } from "./paths.ts";

/**
 * Configuration, in one typed place. Order (later wins):
 *   defaults < config file (`--config FILE`, `CLOUT_CONFIG`, or ./clout.config.json if present)
 *   < environment (`CLOUT_DATA_DIR`, `CLOUT_MEMORY_LIMIT`, `CLOUT_THREADS`, `CLOUT_PROJECT_DIR`) < flags.
 */
const memoryLimit = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "a size like 4GB or 512MiB");
const threads = z.coerce.number().int().min(1).max(1024);

export const CloutConfig = z.object({
  /** Root of the data layout (exports, lake, warehouse, published). */
  dataDir: z.string().min(1),
  /** Folder holding sql/ (the models); the installation by default. */
  projectDir: z.string().min(1),
  /** What one Clout process may hold; DuckDB gets DUCKDB_MEMORY_SHARE of it (src/lib/memory.ts). */
  memoryLimit,
  /** DuckDB threads; also how many files ingest validates at once (one worker thread each). */
  threads,
});
export type CloutConfig = z.infer<typeof CloutConfig>;

/** What a config file may set: any subset, nothing else. */
export const CloutConfigFile = CloutConfig.partial().strict();

export interface ConfigSources {
  flags?: Partial<Record<keyof CloutConfig | "config", string | number | undefined>>;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export const DEFAULTS: CloutConfig = {
  dataDir: "data",
  projectDir: INSTALL_DIR,
  memoryLimit: "4GB",
  threads: 2,
};

function loadFile(file: string, explicit: boolean): Partial<CloutConfig> {
  if (!fs.existsSync(file)) {
    if (explicit) throw new UserError(`config file ${quote(file)} does not exist`, "check the --config path or CLOUT_CONFIG");
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UserError(`config file ${quote(file)} is not valid JSON: ${(err as Error).message}`, "fix the file or remove it");
  }
  const parsed = CloutConfigFile.safeParse(raw);
  if (!parsed.success) {
    throw new UserError(`config file ${quote(file)} is invalid: ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}`, `allowed keys: ${Object.keys(DEFAULTS).join(", ")}`);
  }
  return parsed.data;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}

/** Resolve the configuration from its sources; relative paths are taken from `cwd`. */
export function resolveConfig(sources: ConfigSources = {}): CloutConfig {
  const env = sources.env ?? process.env;
  const cwd = sources.cwd ?? process.cwd();
  const flags = sources.flags ?? {};
  const explicitFile = (flags.config as string | undefined) ?? env.CLOUT_CONFIG;
  const file = path.resolve(cwd, explicitFile ?? "clout.config.json");
  const fromFile = loadFile(file, explicitFile !== undefined);
  const fromEnv = defined({
    dataDir: env.CLOUT_DATA_DIR,
    projectDir: env.CLOUT_PROJECT_DIR,
    memoryLimit: env.CLOUT_MEMORY_LIMIT,
    threads: env.CLOUT_THREADS,
  });
  const fromFlags = defined({
    dataDir: flags.dataDir,
    projectDir: flags.projectDir,
    memoryLimit: flags.memoryLimit,
    threads: flags.threads,
  });
  const merged = { ...DEFAULTS, ...fromFile, ...fromEnv, ...fromFlags };
  const parsed = CloutConfig.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]);
    const value = (merged as Record<string, unknown>)[key];
    throw new UserError(`invalid ${key} ${quote(value)}: ${issue.message}`, hintFor(key));
  }
  return {
    ...parsed.data,
    dataDir: path.resolve(cwd, parsed.data.dataDir),
    projectDir: path.resolve(cwd, parsed.data.projectDir),
  };
}

function hintFor(key: string): string {
  switch (key) {
    case "memoryLimit":
      return "use a size like --memory-limit 4GB (or CLOUT_MEMORY_LIMIT)";
    case "threads":
      return "use a whole number of threads like --threads 2 (or CLOUT_THREADS)";
    default:
      return "see `clout --help` for the configuration order";
  }
}
