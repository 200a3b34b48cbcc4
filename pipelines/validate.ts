import { z } from "zod";
import { RecordError, type CellValue, type EntitySpec } from "./types.ts";

export type Validated = { ok: true; row: CellValue[] } | { ok: false; reason: string };

/** One readable line from zod issues: `path.to.field: message; other: message`. */
export function reasonOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(record)"}: ${i.message}`)
    .join("; ");
}

/**
 * Each entity's schema compiled whole into one function (`z.compile`, zod ≥ 4.6), made on first use in each thread.
 * zod's own parser compiles each object on its own and walks unions, checks and arrays one schema at a time; the
 * compiled one did the tier-s world's 1.13M records in 0.98 s against 4.12 s (one thread; docs/performance.md,
 * "Ingest: compiled schemas"). It is the same schema: a record the compiled function does not accept is parsed
 * again by zod's runtime parser, so rejects and their reasons are the runtime's, and a schema the compiler cannot
 * model keeps the runtime parser (test/pipelines/compiled.test.ts checks that every entity's schema compiles and
 * that both parsers agree on valid and broken records).
 */
const compiled = new WeakMap<z.ZodType, z.ZodType>();
export function compiledSchema<T>(schema: z.ZodType<T>): z.ZodType<T> {
  let c = compiled.get(schema);
  if (c === undefined) {
    c = z.compile(schema);
    compiled.set(schema, c);
  }
  return c as z.ZodType<T>;
}

/** Validate one parsed record against its entity spec and map it to a landed row. */
export function validateRecord<T>(spec: EntitySpec<T>, record: unknown): Validated {
  const parsed = compiledSchema(spec.schema).safeParse(record);
  if (!parsed.success) return { ok: false, reason: reasonOf(parsed.error) };
  try {
    const row = spec.toRow(parsed.data);
    if (row.length !== spec.columns.length) {
      throw new Error(`${spec.network}/${spec.entity}: toRow gave ${row.length} values for ${spec.columns.length} columns`);
    }
    return { ok: true, row };
  } catch (err) {
    if (err instanceof RecordError) return { ok: false, reason: err.message };
    throw err;
  }
}
