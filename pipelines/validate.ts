import type { z } from "zod";
import { RecordError, type CellValue, type EntitySpec } from "./types.ts";

export type Validated = { ok: true; row: CellValue[] } | { ok: false; reason: string };

/** One readable line from zod issues: `path.to.field: message; other: message`. */
export function reasonOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(record)"}: ${i.message}`)
    .join("; ");
}

/** Validate one parsed record against its entity spec and map it to a landed row. */
export function validateRecord<T>(spec: EntitySpec<T>, record: unknown): Validated {
  const parsed = spec.schema.safeParse(record);
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
