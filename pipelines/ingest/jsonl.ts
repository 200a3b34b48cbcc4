import type { EntitySpec } from "../types.ts";
import { validateRecord, type Validated } from "../validate.ts";

/**
 * JSON Lines parsing that keeps big integer ids exact: JSON.parse turns 18446744073709551616 into a
 * rounded double, so bare integers of 16 or more digits outside strings are quoted first (`parseJsonLine`).
 * Scanning only happens on lines where such a digit run follows `:`, `,` or `[` (where a bare number can
 * stand; ids written as strings, the usual case, never trigger it); the scan itself decides what is inside a
 * string. Ingest reads each line plainly first and only reads it exactly when that is rejected
 * (`validateJsonLine`).
 */
const LONG_DIGITS = /[:,[]\s*-?\d{16}/;

const isDigitAt = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
};

export function quoteBigIntegers(line: string): string {
  if (!LONG_DIGITS.test(line)) return line;
  let out = "";
  let last = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    const isDigit = c >= 0x30 && c <= 0x39;
    if (!isDigit && c !== 0x2d) continue;
    // a number starts here (outside a string): read the whole token, sign, integer part, fraction and exponent,
    // so that the digits of a fraction or an exponent (0.30000000000000004, 1e-1234567890123456) are never
    // taken for an integer of their own
    let j = i + (c === 0x2d ? 1 : 0);
    const digitsFrom = j;
    while (j < line.length && isDigitAt(line, j)) j++;
    const digits = j - digitsFrom;
    let integer = true;
    if (line.charCodeAt(j) === 0x2e) {
      integer = false;
      j++;
      while (j < line.length && isDigitAt(line, j)) j++;
    }
    const e = line.charCodeAt(j);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      j++;
      const sign = line.charCodeAt(j);
      if (sign === 0x2b || sign === 0x2d) j++;
      while (j < line.length && isDigitAt(line, j)) j++;
    }
    if (digits >= 16 && integer) {
      out += `${line.slice(last, i)}"${line.slice(i, j)}"`;
      last = j;
    }
    i = Math.max(i, j - 1);
  }
  return last === 0 ? line : out + line.slice(last);
}

export type ParsedLine = { ok: true; value: unknown } | { ok: false; reason: string };

/** One line's JSON object, bare integers of 16+ digits as strings (`exact`, the default), or as JSON.parse reads them. */
export function parseJsonLine(text: string, exact = true): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(exact ? quoteBigIntegers(text) : text);
  } catch (err) {
    // an empty or blank line does not parse either; say so rather than quote the parser
    if (text.trim() === "") return { ok: false, reason: "empty line" };
    return { ok: false, reason: `not valid JSON: ${(err as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, reason: `not a JSON object (got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value})` };
  }
  return { ok: true, value };
}

/**
 * One JSON line validated as `spec`'s record, with its big integers exact. The line is read plainly first, and read
 * again exactly (bare integers of 16+ digits as strings) only when the plain reading is rejected and the line holds
 * such an integer; the exact reading then decides. The outcome is the exact reading's whenever it matters: an
 * accepted plain reading holds no rounded integer, since every schema takes integers as safe integers only (ids,
 * counts) or range-checks them (epoch times, where 2^53 is centuries away). Looking for such integers on every line
 * first cost 0.6 s of CPU on the tier-s world's 1.13M records (docs/performance.md, "Ingest: compiled schemas").
 */
export function validateJsonLine<T>(spec: EntitySpec<T>, text: string): Validated {
  const plain = parseJsonLine(text, false);
  const v = plain.ok ? validateRecord(spec, plain.value) : plain;
  if (v.ok || !LONG_DIGITS.test(text)) return v;
  const exact = parseJsonLine(text);
  return exact.ok ? validateRecord(spec, exact.value) : exact;
}
