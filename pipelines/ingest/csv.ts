/**
 * One CSV/TSV record per physical line (RFC 4180 quoting inside a line; a quoted field may not span
 * lines). Returns the fields, or a reason when the line cannot be split.
 */
export type SplitLine = { ok: true; fields: string[] } | { ok: false; reason: string };

export function splitDelimited(line: string, delimiter: string): SplitLine {
  if (delimiter === " ") {
    // whitespace-separated files (SNAP edge lists): runs of spaces/tabs separate fields, no quoting
    const fields = line.trim().split(/[ \t]+/);
    return { ok: true, fields };
  }
  if (!line.includes('"')) return { ok: true, fields: line.split(delimiter) };
  const fields: string[] = [];
  let i = 0;
  let field = "";
  for (;;) {
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return { ok: false, reason: "unterminated quoted field" };
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && !line.startsWith(delimiter, i)) return { ok: false, reason: `unexpected character after a quoted field at column ${i + 1}` };
    } else {
      const next = line.indexOf(delimiter, i);
      const end = next === -1 ? line.length : next;
      field += line.slice(i, end);
      i = end;
    }
    fields.push(field);
    field = "";
    if (i >= line.length) break;
    i += delimiter.length;
    if (i >= line.length) {
      fields.push("");
      break;
    }
  }
  return { ok: true, fields };
}

/** A delimited row as the object a schema sees: keyed by header name, or by 1-based position without one. */
export function rowObject(fields: string[], header: string[] | null): Record<string, string> {
  const o: Record<string, string> = {};
  if (header) {
    for (let i = 0; i < header.length; i++) if (i < fields.length) o[header[i]!] = fields[i]!;
  } else {
    for (let i = 0; i < fields.length; i++) o[String(i + 1)] = fields[i]!;
  }
  return o;
}
