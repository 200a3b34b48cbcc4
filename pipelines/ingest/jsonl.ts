/**
 * JSON Lines parsing that keeps big integer ids exact: JSON.parse turns 18446744073709551616 into a
 * rounded double, so bare integers of 16 or more digits outside strings are quoted first. Scanning only
 * happens on lines where such a digit run follows `:`, `,` or `[` (where a bare number can stand; ids
 * written as strings, the usual case, never trigger it); the scan itself decides what is inside a string.
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

export function parseJsonLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(quoteBigIntegers(text));
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
