import { z } from "zod";
import { RecordError } from "./types.ts";

/**
 * Field types shared by the network schemas, so that every network treats ids, counts and times alike.
 */

/**
 * zod 4 compiles an object schema into one fast function, unless one of its fields has a transform: each
 * transformed field then costs about 1 µs a record (measured on a like {id, id, time}: 3.0 µs with
 * transforms, 0.35 µs with the same conversions as checks). So the shared fields below validate their
 * input shape with plain zod types and convert in a check that writes the converted value back; a
 * RecordError from the conversion becomes an ordinary issue (and so a reject reason).
 */
function converted<In, Out>(base: z.ZodType<In>, convert: (v: In) => Out): z.ZodType<Out> {
  return base.check((ctx) => {
    try {
      (ctx as { value: unknown }).value = convert(ctx.value);
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      ctx.issues.push({ code: "custom", message: e.message, input: ctx.value, continue: false });
    }
  }) as unknown as z.ZodType<Out>;
}

/**
 * An id as networks write it: a string, or a JSON integer. Ingest turns integers of 16+ digits into
 * strings before JSON.parse (see pipelines/ingest/jsonl.ts), so ids beyond 2^53 — and beyond 2^63 — stay
 * exact. Always lands as VARCHAR. Empty strings are rejected, and so are strings of whitespace only (as the CSV
 * formats already reject a blank cell): " " names nobody. Only a string starting with whitespace is trimmed to
 * check (an ASCII space or control character, or any non-ASCII one: trim() knows Unicode's spaces), so the
 * common id costs one character comparison.
 */
export const zId = converted(
  z.union([z.string().min(1, "empty id"), z.number().int().safe()], { error: (iss) => (iss.input === "" ? "empty id" : `expected an id (a string or an integer), got ${JSON.stringify(iss.input) ?? "nothing"}`) }),
  (v) => {
    if (typeof v === "number") return String(v);
    const c = v.charCodeAt(0);
    if ((c <= 32 || c > 126) && v.trim() === "") throw new RecordError("empty id");
    return v;
  },
);

/** A count: a non-negative integer, or a string of digits (YouTube writes counts as strings). */
const countError = { error: (iss: { input?: unknown }) => `expected a count (a non-negative integer, or digits in a string), got ${JSON.stringify(iss.input) ?? "nothing"}` };
export const zCount = converted(z.union([z.number(countError).int(countError).nonnegative(countError), z.string(countError).regex(/^\d{1,15}$/, countError)], countError), (v) =>
  typeof v === "string" ? Number(v) : v,
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
  const fast = fastIsoToMs(raw);
  return fast !== undefined ? checkRange(fast, raw) : isoToMsByDateParse(raw);
}

/** isoToMs by regex and Date.parse: every shape the ISO pattern admits. */
export function isoToMsByDateParse(raw: string): number {
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

function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The common shapes, `2026-11-24T10:00:00Z`, `…:00.123Z`, `…+01:00`, `…+0100`, read digit by digit
 * (a tenth of the time of the regex-and-Date.parse path); undefined for anything else, which then takes
 * that path. Equal to it wherever it answers (test/unit/fields.test.ts compares them).
 */
export function fastIsoToMs(s: string): number | undefined {
  const n = s.length;
  if (n < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const y = digitAt(s, 0) * 1000 + digitAt(s, 1) * 100 + digitAt(s, 2) * 10 + digitAt(s, 3);
  const mo = digitAt(s, 5) * 10 + digitAt(s, 6);
  const da = digitAt(s, 8) * 10 + digitAt(s, 9);
  const h = digitAt(s, 11) * 10 + digitAt(s, 12);
  const mi = digitAt(s, 14) * 10 + digitAt(s, 15);
  const se = digitAt(s, 17) * 10 + digitAt(s, 18);
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    ms = digitAt(s, 20) * 100 + digitAt(s, 21) * 10 + digitAt(s, 22);
    i = 23;
  }
  let offset = 0;
  const c = s.charCodeAt(i);
  if (c === 90) {
    if (i + 1 !== n) return undefined;
  } else if (c === 43 || c === 45) {
    const colon = s.charCodeAt(i + 3) === 58;
    if (i + (colon ? 6 : 5) !== n) return undefined;
    const oh = digitAt(s, i + 1) * 10 + digitAt(s, i + 2);
    const om = colon ? digitAt(s, i + 4) * 10 + digitAt(s, i + 5) : digitAt(s, i + 3) * 10 + digitAt(s, i + 4);
    if (!(oh <= 23 && om <= 59)) return undefined;
    offset = (c === 45 ? -1 : 1) * (oh * 60 + om);
  } else return undefined;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (!(y >= 0 && mo >= 1 && mo <= 12 && da >= 1 && h <= 23 && mi <= 59 && se <= 59 && ms >= 0)) return undefined;
  if (da > (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]!)) return undefined;
  return Date.UTC(y, mo - 1, da, h, mi, se, ms) - offset * 60_000;
}

/** zod: an ISO 8601 string, checked and converted to epoch ms at parse time. */
export const zIsoTime = converted(z.string(), isoToMs);

function zEpoch(convert: (v: number | string) => number) {
  return converted(z.union([z.number(), z.string()]), convert);
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
