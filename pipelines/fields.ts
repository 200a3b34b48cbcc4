import { z } from "zod";
import { RecordError } from "./types.ts";

/**
 * Field types shared by the network schemas, so that every network treats ids, counts and times alike.
 */

/**
 * An id as networks write it: a string, or a JSON integer. Ingest turns integers of 16+ digits into
 * strings before JSON.parse (see pipelines/ingest/jsonl.ts), so ids beyond 2^53 — and beyond 2^63 — stay
 * exact. Always lands as VARCHAR. Empty strings are rejected.
 */
export const zId = z
  .union([z.string().min(1, "empty id"), z.number().int().safe()], { error: (iss) => (iss.input === "" ? "empty id" : `expected an id (a string or an integer), got ${JSON.stringify(iss.input) ?? "nothing"}`) })
  .transform((v) => String(v));

/** A count: a non-negative integer, or a string of digits (YouTube writes counts as strings). */
export const zCount = z.union(
  [
    z.number().int().nonnegative(),
    z
      .string()
      .regex(/^\d{1,15}$/)
      .transform((s) => Number(s)),
  ],
  { error: (iss) => `expected a count (a non-negative integer, or digits in a string), got ${JSON.stringify(iss.input) ?? "nothing"}` },
);

const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Earliest and latest instants accepted anywhere: before 2000 or after 2100 is a broken clock. */
const MIN_MS = Date.UTC(2000, 0, 1);
const MAX_MS = Date.UTC(2100, 0, 1);

function checkRange(ms: number, raw: unknown): number {
  if (!Number.isFinite(ms) || ms < MIN_MS || ms >= MAX_MS) {
    throw new RecordError(`time ${JSON.stringify(raw)} is outside 2000–2099`);
  }
  return ms;
}

/**
 * ISO 8601 as the networks write it: `2026-11-24T10:00:00.000Z` (X, Instagram, YouTube),
 * `2026-11-24T10:00:00+0000` (Facebook Graph), with or without fractional seconds. A time without a
 * zone is read as UTC. Returns epoch milliseconds. Impossible dates (2026-02-30) are rejected.
 */
export function isoToMs(raw: string): number {
  const s = raw.trim();
  if (!ISO.test(s)) throw new RecordError(`time ${JSON.stringify(raw)} is not ISO 8601`);
  let norm = s.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(norm)) norm += "Z";
  const ms = Date.parse(norm);
  if (Number.isNaN(ms)) throw new RecordError(`time ${JSON.stringify(raw)} is not a real date`);
  // Date.parse rolls 2026-02-30 over to March: compare the calendar date back.
  const [y, m, d] = s.slice(0, 10).split("-").map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(y, m - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d) {
    throw new RecordError(`time ${JSON.stringify(raw)} is not a real date`);
  }
  return checkRange(ms, raw);
}

/** Epoch seconds (Foursquare createdAt, TikTok create_time, Reddit created_utc); an int or a digit string. */
export function epochSecondsToMs(raw: number | string): number {
  const n = typeof raw === "string" ? (/^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN) : raw;
  if (!Number.isFinite(n)) throw new RecordError(`epoch seconds ${JSON.stringify(raw)} is not a number`);
  return checkRange(Math.round(n * 1000), raw);
}

/** Epoch milliseconds (LinkedIn createdAt / lastModified). */
export function epochMillisToMs(raw: number | string): number {
  const n = typeof raw === "string" ? (/^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN) : raw;
  if (!Number.isFinite(n)) throw new RecordError(`epoch milliseconds ${JSON.stringify(raw)} is not a number`);
  return checkRange(n, raw);
}

/** Epoch microseconds (Bluesky Jetstream time_us). */
export function epochMicrosToMs(raw: number | string): number {
  const n = typeof raw === "string" ? (/^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN) : raw;
  if (!Number.isFinite(n)) throw new RecordError(`epoch microseconds ${JSON.stringify(raw)} is not a number`);
  return checkRange(Math.floor(n / 1000), raw);
}

/** zod: an ISO 8601 string, checked and converted to epoch ms at parse time. */
export const zIsoTime = z.string().transform((s, ctx) => {
  try {
    return isoToMs(s);
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message });
    return z.NEVER;
  }
});

function zEpoch(convert: (v: number | string) => number) {
  return z.union([z.number(), z.string()]).transform((v, ctx) => {
    try {
      return convert(v);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  });
}
/** zod: epoch seconds → ms. */
export const zEpochSeconds = zEpoch(epochSecondsToMs);
/** zod: epoch milliseconds → ms. */
export const zEpochMillis = zEpoch(epochMillisToMs);
/** zod: epoch microseconds → ms. */
export const zEpochMicros = zEpoch(epochMicrosToMs);

/** Hashtags found in free text (`#word`), lowercased, without the `#`, in order of first appearance. */
export function hashtagsIn(text: string | null | undefined): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[^\p{L}\p{N}_&])#([\p{L}\p{N}_]{1,100})/gu)) {
    const tag = m[1]!.toLowerCase();
    if (!/^\d+$/.test(tag) && !out.includes(tag)) out.push(tag);
  }
  return out;
}
