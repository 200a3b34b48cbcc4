/**
 * The memory limit: `--memory-limit` (CLOUT_MEMORY_LIMIT, `memoryLimit`) is what one Clout process may use, and DuckDB
 * gets a share of it. DuckDB's own `memory_limit` bounds only its buffer manager: what some operators allocate outside
 * it, what its allocator keeps after a query and Node itself come on top. At tier m a night with DuckDB's limit at
 * 12GB peaked at 13.5-13.8e9 bytes of resident memory (1.13-1.15×); DuckDB's documentation advises setting its limit below
 * the memory that is really there for the same reason (docs/performance.md, "The memory limit, and staging as tables").
 */

/** DuckDB's share of the memory limit; the rest is headroom for what DuckDB's limit does not count. */
export const DUCKDB_MEMORY_SHARE = 0.8;

/** "4GB" / "512MB" / "2GiB" → bytes (DuckDB's units: KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024); undefined for anything else. */
export function bytesOf(limit: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?\s*$/i.exec(limit);
  if (!m) return undefined;
  const unit = (m[2] ?? "b").toLowerCase();
  const pow = { b: 0, kb: 1, kib: 1, mb: 2, mib: 2, gb: 3, gib: 3, tb: 4, tib: 4 }[unit]!;
  const base = unit.includes("i") || unit === "b" ? 1024 : 1000;
  return Math.floor(Number(m[1]) * base ** pow);
}

/**
 * DuckDB's `memory_limit` for each of `engines` DuckDB instances that share one process's memory limit: its
 * DUCKDB_MEMORY_SHARE, split evenly, in whole MiB (at least 64). A limit in another syntax is passed through.
 */
export function duckdbMemoryLimit(limit: string, engines = 1): string {
  const bytes = bytesOf(limit);
  if (bytes === undefined) return limit;
  return `${Math.max(64, Math.floor((bytes * DUCKDB_MEMORY_SHARE) / Math.max(1, engines) / 2 ** 20))}MiB`;
}
