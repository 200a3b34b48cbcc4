import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from "@duckdb/node-api";
import { UserError, messageOf, quote } from "./errors.ts";
import { duckdbMemoryLimit } from "./memory.ts";

export type Params = DuckDBValue[] | Record<string, DuckDBValue>;
export type Row = Record<string, unknown>;

export interface OpenOptions {
  /** Database file, or ":memory:". */
  path: string;
  /** The process's memory limit (`--memory-limit`); DuckDB gets DUCKDB_MEMORY_SHARE of it. */
  memoryLimit?: string;
  threads?: number;
  readOnly?: boolean;
}

/** The schemas of the warehouse, in build order; `meta` holds runs, model runs, tests and counts. */
export const LAYERS = ["staging", "intermediate", "marts"] as const;
export type Layer = (typeof LAYERS)[number];

/**
 * The storage format a new warehouse file is written in. DuckDB writes new files in its 1.0 format unless told
 * otherwise; from the 1.3 format on it compresses strings with DICT_FSST (a dictionary of FSST-compressed strings),
 * which the 1.0 format does not have. At tier m the big intermediate tables are read 1.2-1.5x faster (writes take
 * as long) and the whole file is 15% smaller (docs/performance.md, "The warehouse file's format (tenth session)").
 * A file keeps the format it was created in; `clout compact` rewrites an older warehouse in this one. The warehouse
 * file then needs DuckDB 1.5 or later to open (the published Parquet files need no particular version).
 */
export const STORAGE_VERSION = "v1.5.0";

const META_DDL = `
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists marts;
create schema if not exists meta;
create table if not exists meta.runs (
  run_id varchar not null, command varchar not null, status varchar not null,
  started_at timestamptz not null, finished_at timestamptz, run_date date, selector varchar, message varchar
);
create table if not exists meta.model_runs (
  run_id varchar not null, model varchar not null, layer varchar not null, materialized varchar not null,
  status varchar not null, started_at timestamptz not null, duration_s double, row_count bigint, message varchar
);
create table if not exists meta.test_results (
  run_id varchar not null, test_name varchar not null, model varchar, severity varchar not null,
  status varchar not null, failures bigint, duration_s double, message varchar, sample_json varchar
);
create table if not exists meta.run_stages (
  run_id varchar not null, stage varchar not null, status varchar not null, started_at timestamptz not null,
  duration_s double, message varchar
);
create table if not exists meta.cache_models (
  model varchar not null, definition_sha256 varchar not null, reset_at timestamptz not null, reset_reason varchar not null
);
create table if not exists meta.merge_lake_state (
  model varchar not null, definition_sha256 varchar not null, partitions_json varchar not null, recorded_at timestamptz not null
);
create table if not exists meta.change_log (
  model varchar not null, seq bigint not null, key_hash ubigint not null
);
create table if not exists meta.change_log_state (
  model varchar not null, seq bigint not null, reset_seq bigint not null, updated_at timestamptz not null
);
create table if not exists meta.changed_keys_state (
  model varchar not null, definition_sha256 varchar not null, sources_json varchar not null, recorded_at timestamptz not null
);
create table if not exists meta.test_verified (
  test_name varchar not null, model varchar not null, sql_sha256 varchar not null, duckdb_version varchar not null,
  partial_runs integer not null, verified_at timestamptz not null
);
create table if not exists meta.test_written_keys (
  model varchar not null, key_hash ubigint not null, key_date date
);
-- key_date (the written date of an incremental model, so its tests read only that date's row groups) came later
alter table meta.test_written_keys add column if not exists key_date date;
create table if not exists meta.ingest_files (
  run_id varchar not null, source varchar not null, entity varchar not null, dt date not null, file varchar,
  status varchar not null, lines_read bigint not null, accepted bigint not null, rejected bigint not null,
  forgotten bigint not null, bytes bigint not null, duration_s double, message varchar, recorded_at timestamptz not null
);
`;

/** Make a DuckDB result value plain: small bigints become numbers, big ones strings (ids beyond 2^53 stay exact). */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/**
 * One DuckDB database (the warehouse file, or an in-memory one) and one connection to it.
 * Opened with known-extension autoinstall off: a missing extension fails at once instead of trying the
 * internet. Every value from a person reaches SQL as a parameter (`$1`, `$name`).
 */
export class Warehouse {
  readonly path: string;
  readonly instance: DuckDBInstance;
  readonly conn: DuckDBConnection;

  private constructor(p: string, instance: DuckDBInstance, conn: DuckDBConnection) {
    this.path = p;
    this.instance = instance;
    this.conn = conn;
  }

  static async open(opts: OpenOptions): Promise<Warehouse> {
    const options: Record<string, string> = {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "true",
      // applies to a file created by this open; an existing file keeps its own format
      storage_compatibility_version: STORAGE_VERSION,
    };
    // --memory-limit is the process's; DuckDB's buffer manager gets its share (src/lib/memory.ts)
    if (opts.memoryLimit) options.memory_limit = duckdbMemoryLimit(opts.memoryLimit);
    if (opts.threads) options.threads = String(opts.threads);
    if (opts.readOnly) options.access_mode = "READ_ONLY";
    if (opts.path !== ":memory:") {
      if (opts.readOnly && !fs.existsSync(opts.path)) {
        throw new UserError(`warehouse ${quote(opts.path)} does not exist yet`, "run `clout build` (or `clout nightly`) first");
      }
      fs.mkdirSync(path.dirname(opts.path), { recursive: true });
    }
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(opts.path, options);
    } catch (err) {
      const msg = messageOf(err);
      const pid = /PID (\d+)/.exec(msg)?.[1];
      if (/lock/i.test(msg)) {
        throw new UserError(
          `warehouse ${quote(opts.path)} is in use by another process${pid ? ` (PID ${pid})` : ""}`,
          "wait for the running nightly or build to finish; `clout sql` reads the published files and is never blocked",
          { cause: err },
        );
      }
      throw new UserError(`cannot open warehouse ${quote(opts.path)}: ${msg}`, "check the --data-dir and --memory-limit settings", { cause: err });
    }
    const conn = await instance.connect();
    const wh = new Warehouse(opts.path, instance, conn);
    // Every time Clout shows or casts is UTC, whatever the machine's zone.
    await wh.run("set TimeZone = 'UTC'");
    // Tables are written without dictionary compression: DuckDB tries it on every string segment it writes, and at
    // tier m that made writing the big intermediate tables 1.3-1.5x slower. FSST takes those strings instead: the
    // file is about 11% larger and full scans of string columns up to 20% slower, and a night is 8% faster
    // (docs/performance.md, "Tier m: writing tables and memory"). In the 1.5 storage format (STORAGE_VERSION) strings
    // take DICT_FSST whether or not this is set (a tier m table copied both ways: the same segments, the same bytes),
    // so it matters only for a warehouse still in the older format.
    await wh.run("set disabled_compression_methods = 'dictionary'");
    // DuckDB's allocator (jemalloc) keeps memory a finished query freed and hands it back to the system lazily, so over
    // a night's 68 models the process grew past the memory limit (a tier m night with a 12GB limit peaked at 15.8 GB).
    // Its background threads return that memory as they go: the same night peaked at 13.2 GB (docs/performance.md,
    // "Tier m: memory and tests (seventh session)"). Process-wide; it does not change any result.
    await wh.run("set allocator_background_threads = true");
    if (!opts.readOnly) await wh.run(META_DDL);
    return wh;
  }

  async run(sql: string, params?: Params): Promise<void> {
    await this.conn.run(sql, params);
  }

  async all<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(sql, params);
    return reader.getRowObjectsJS().map((r) => plain(r) as T);
  }

  async one<T extends Row = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  /** Run `fn` in one transaction: all of it lands, or none of it. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.run("begin transaction");
    try {
      const out = await fn();
      await this.run("commit");
      return out;
    } catch (err) {
      try {
        await this.run("rollback");
      } catch {
        // DuckDB already aborted the transaction; nothing left to undo.
      }
      throw err;
    }
  }

  async tableExists(schema: string, name: string): Promise<boolean> {
    const row = await this.one<{ n: number }>(
      "select count(*)::integer as n from information_schema.tables where table_schema = $1 and table_name = $2",
      [schema, name],
    );
    return (row?.n ?? 0) > 0;
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Quote an identifier for SQL (schema, table, column names come from file names, never from a person). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quote a string literal, for the few places DuckDB does not take a parameter (DDL in declared tests). */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
