import { z } from "zod";
import { UserError, quote } from "./errors.ts";

/** A calendar date YYYY-MM-DD that really exists (no 2026-02-30). */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date like 2026-11-24")
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, "not a real calendar date");
export type IsoDate = z.infer<typeof IsoDate>;

/** Validate a date a person typed; `what` names the flag in the message. */
export function parseDate(value: string, what = "--date"): IsoDate {
  const r = IsoDate.safeParse(value);
  if (!r.success) throw new UserError(`invalid ${what} ${quote(value)}: ${r.error.issues[0]!.message}`, "use YYYY-MM-DD, e.g. 2026-11-24");
  return r.data;
}

/** Yesterday in UTC: the default night. */
export function yesterdayUtc(now = new Date()): IsoDate {
  return new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
