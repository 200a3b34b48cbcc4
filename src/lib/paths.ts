import path from "node:path";
import { fileURLToPath } from "node:url";
import { UserError, quote } from "./errors.ts";

/** The Clout installation: the folder holding package.json, sql/ and reports/. */
export const INSTALL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Join `parts` under `root` and refuse anything that would land outside it (`..`, absolute parts,
 * NUL bytes). Every path built from user input goes through here.
 */
export function resolveInside(root: string, ...parts: string[]): string {
  const base = path.resolve(root);
  for (const part of parts) {
    if (part.includes("\0")) throw new UserError(`path part ${quote(part)} contains a NUL byte`, "use plain names");
  }
  const full = path.resolve(base, ...parts);
  const rel = path.relative(base, full);
  if (rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new UserError(
      `path ${quote(parts.join("/"))} leads outside the data directory ${quote(base)}`,
      "names and dates may not contain '..' or start with '/'",
    );
  }
  return full;
}

/** The data layout of product.md §2, rooted at one data directory. */
export class DataLayout {
  readonly root: string;
  constructor(root: string) {
    this.root = path.resolve(root);
  }
  get warehouse(): string {
    return path.join(this.root, "warehouse.duckdb");
  }
  get exports(): string {
    return path.join(this.root, "exports");
  }
  get lake(): string {
    return path.join(this.root, "lake");
  }
  get published(): string {
    return path.join(this.root, "published");
  }
  get artifacts(): string {
    return path.join(this.root, "artifacts");
  }
  /** Any path below the root, refusing escapes. */
  inside(...parts: string[]): string {
    return resolveInside(this.root, ...parts);
  }
}
