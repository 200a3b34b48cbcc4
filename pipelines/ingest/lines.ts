import { isAscii } from "node:buffer";
import fs from "node:fs";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/**
 * Read a text file line by line, plain or gzip (by magic bytes, whatever the name says), with bounded
 * memory. Strips a UTF-8 BOM and CRLF endings. A line longer than `maxLineBytes` or a broken gzip stream
 * makes the whole file unreadable: that is a `FileError`, not a reject.
 */
export class FileError extends Error {
  readonly file: string;
  /** What is wrong with the file, without the file's name. */
  readonly detail: string;
  constructor(file: string, detail: string) {
    super(`cannot read ${JSON.stringify(file)}: ${detail}`);
    this.name = "FileError";
    this.file = file;
    this.detail = detail;
  }
}

export const MAX_LINE_BYTES = 10 * 1024 * 1024;

/** Files up to this size are read whole (plain, or gzip whose compressed size this is), bigger ones streamed. */
const SMALL_FILE = 1 << 20;

export interface Line {
  /** 1-based physical line number. */
  n: number;
  /**
   * The line without its newline. On an ASCII read it is a slice of the whole read's string, which it keeps alive:
   * a caller that holds a line past its batch copies it (land.ts does, for rejects).
   */
  text: string;
}

function isGzip(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const b = Buffer.alloc(2);
    const read = fs.readSync(fd, b, 0, 2, 0);
    return read === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** The lines of a file, one at a time (see readLineBatches, which ingest uses). */
export async function* readLines(file: string, opts: { maxLineBytes?: number } = {}): AsyncGenerator<Line> {
  for await (const batch of readLineBatches(file, opts)) yield* batch;
}

/**
 * The lines of a file in batches (the lines completed by each read of about 1 MB): one await per batch
 * rather than per line, which costs ingest about 2.5 µs a line otherwise.
 */
export async function* readLineBatches(file: string, opts: { maxLineBytes?: number } = {}): AsyncGenerator<Line[]> {
  const max = opts.maxLineBytes ?? MAX_LINE_BYTES;
  let stream: AsyncIterable<Buffer> | Iterable<Buffer>;
  try {
    if (fs.statSync(file).size <= SMALL_FILE) {
      // a small file in one read: a stream costs more to set up than such a file takes to read
      const bytes = fs.readFileSync(file);
      stream = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? Readable.from([bytes]).pipe(createGunzip({ chunkSize: 1 << 20 })) : [bytes];
    } else {
      const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
      const s = isGzip(file) ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
      raw.on("error", (e) => s.destroy(e));
      stream = s;
    }
  } catch (err) {
    throw new FileError(file, (err as Error).message);
  }
  // Each read is taken up to its last newline (a newline byte is never part of a longer UTF-8 sequence, so no
  // character is cut). A read of ASCII only is decoded once and split as a string; any other is decoded line by line
  // (docs/performance.md, "Ingest: one JSON text per 16 rows", has both measured).
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let n = 0;
  // line n, the bytes from..end of buf, as text: without its "\r" before the newline, or line 1's BOM
  const decode = (buf: Buffer, from: number, end: number): string => {
    if (end > from && buf[end - 1] === 0x0d) end--;
    if (n === 1 && end - from >= 3 && buf[from] === 0xef && buf[from + 1] === 0xbb && buf[from + 2] === 0xbf) from += 3;
    return buf.toString("utf8", from, end);
  };
  try {
    for await (const chunk of stream) {
      const last = chunk.lastIndexOf(0x0a);
      if (last === -1) {
        pending.push(chunk);
        pendingLen += chunk.length;
        if (pendingLen > max) throw new FileError(file, `line ${n + 1} is longer than ${max} bytes`);
        continue;
      }
      let head = chunk.subarray(0, last);
      if (pendingLen > 0) {
        pending.push(head);
        head = Buffer.concat(pending, pendingLen + last);
        pending = [];
        pendingLen = 0;
      }
      const batch: Line[] = [];
      if (isAscii(head)) {
        // the common case: one decoding of the whole read, then string slices
        const text = head.toString("latin1");
        let from = 0;
        for (;;) {
          const nl = text.indexOf("\n", from);
          const end = nl === -1 ? text.length : nl;
          n++;
          if (end - from > max) throw new FileError(file, `line ${n} is longer than ${max} bytes`);
          batch.push({ n, text: text.slice(from, end > from && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end) });
          if (nl === -1) break;
          from = nl + 1;
        }
      } else {
        // other text, line by line: decoding such a read whole and slicing it was 2–4× slower on tweets
        let from = 0;
        for (;;) {
          const nl = head.indexOf(0x0a, from);
          const end = nl === -1 ? head.length : nl;
          n++;
          if (end - from > max) throw new FileError(file, `line ${n} is longer than ${max} bytes`);
          batch.push({ n, text: decode(head, from, end) });
          if (nl === -1) break;
          from = nl + 1;
        }
      }
      if (last + 1 < chunk.length) {
        pending.push(chunk.subarray(last + 1));
        pendingLen += chunk.length - last - 1;
        if (pendingLen > max) throw new FileError(file, `line ${n + 1} is longer than ${max} bytes`);
      }
      yield batch;
    }
  } catch (err) {
    if (err instanceof FileError) throw err;
    const e = err as NodeJS.ErrnoException;
    const what = e.code === "Z_BUF_ERROR" || /unexpected end/i.test(e.message) ? "truncated gzip stream" : e.message;
    throw new FileError(file, what);
  }
  if (pendingLen > 0) {
    n++;
    yield [{ n, text: decode(Buffer.concat(pending, pendingLen), 0, pendingLen) }];
  }
}
