import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { once } from "node:events";

/**
 * Files written a line at a time, with backpressure: lines gather in a small buffer, go to the stream in
 * chunks, and `drain()` waits for any stream that asked to. A file is written aside (`.name.partial`) and
 * renamed when closed, so a reader never sees half a file.
 */
const CHUNK = 256 * 1024;

export class LineFile {
  readonly path: string;
  private readonly tmp: string;
  private readonly file: fs.WriteStream;
  private readonly out: fs.WriteStream | zlib.Gzip;
  private chunks: string[] = [];
  private size = 0;
  private waiting = false;
  lines = 0;

  constructor(finalPath: string, gzip: boolean) {
    this.path = finalPath;
    fs.mkdirSync(path.dirname(finalPath), { recursive: true });
    this.tmp = path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.partial`);
    this.file = fs.createWriteStream(this.tmp);
    if (gzip) {
      const gz = zlib.createGzip({ level: 6 });
      gz.pipe(this.file);
      this.out = gz;
    } else this.out = this.file;
  }

  write(line: string): void {
    this.chunks.push(line);
    this.size += line.length + 1;
    this.lines++;
    if (this.size >= CHUNK) this.push();
  }

  private push(): void {
    if (this.chunks.length === 0) return;
    const ok = this.out.write(`${this.chunks.join("\n")}\n`);
    this.chunks = [];
    this.size = 0;
    if (!ok) this.waiting = true;
  }

  /** Wait until the stream has room again (only if it said it had none). */
  async drain(): Promise<void> {
    if (!this.waiting) return;
    this.waiting = false;
    // The stream may have drained already while another file was being waited for.
    if (this.out.writableNeedDrain) await once(this.out, "drain");
  }

  /** Flush, close, rename into place; returns the bytes on disk. */
  async close(): Promise<number> {
    this.push();
    const closed = once(this.file, "close");
    this.out.end();
    await closed;
    fs.renameSync(this.tmp, this.path);
    return fs.statSync(this.path).size;
  }

  /** Close without keeping anything (a failed run). */
  abort(): void {
    this.out.destroy();
    this.file.destroy();
    fs.rmSync(this.tmp, { force: true });
  }
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? "" : typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface EntityFile {
  network: string;
  entity: string;
  format: "jsonl" | "csv";
  /** The CSV header when known before any record (else the first record's keys). */
  header?: string[];
}

const VARIANTS = [".jsonl", ".jsonl.gz", ".csv", ".csv.gz"];

/** The export files of one date: one per network entity, created even when empty. */
export class ExportDay {
  private readonly files = new Map<string, Map<string, { file: LineFile; spec: EntityFile; header: string[] | null }>>();
  private readonly all: LineFile[] = [];

  constructor(exportsDir: string, date: string, entities: EntityFile[], gzip: boolean) {
    for (const spec of entities) {
      const dir = path.join(exportsDir, spec.network, date);
      const ext = `.${spec.format}${gzip ? ".gz" : ""}`;
      for (const v of VARIANTS) if (v !== ext) fs.rmSync(path.join(dir, `${spec.entity}${v}`), { force: true });
      const file = new LineFile(path.join(dir, `${spec.entity}${ext}`), gzip);
      let byEntity = this.files.get(spec.network);
      if (!byEntity) this.files.set(spec.network, (byEntity = new Map()));
      byEntity.set(spec.entity, { file, spec, header: null });
      this.all.push(file);
    }
  }

  /** One record of `network`'s `entity` file: a JSON line, or a CSV row (header from the record's keys). */
  write(network: string, entity: string, record: Record<string, unknown>): void {
    const f = this.files.get(network)?.get(entity);
    if (!f) throw new Error(`Failed to write a ${network} record: the module emitted entity ${JSON.stringify(entity)}, which it does not declare`);
    if (f.spec.format === "jsonl") {
      f.file.write(JSON.stringify(record));
      return;
    }
    if (!f.header) {
      f.header = f.spec.header ?? Object.keys(record);
      f.file.write(f.header.map(csvField).join(","));
    }
    f.file.write(f.header.map((h) => csvField(record[h])).join(","));
  }

  async drain(): Promise<void> {
    for (const f of this.all) await f.drain();
  }

  /** Close every file (CSV files without rows still get their header when it is known). Bytes per network. */
  async close(): Promise<Map<string, number>> {
    const bytes = new Map<string, number>();
    for (const [network, byEntity] of this.files) {
      for (const f of byEntity.values()) {
        if (f.spec.format === "csv" && !f.header && f.spec.header) f.file.write(f.spec.header.map(csvField).join(","));
        bytes.set(network, (bytes.get(network) ?? 0) + (await f.file.close()));
      }
    }
    return bytes;
  }

  abort(): void {
    for (const f of this.all) f.abort();
  }
}
