import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { FileError, readLineBatches, type Line } from "../../pipelines/ingest/lines.ts";

/**
 * readLineBatches decodes a read of ASCII whole and any other read line by line (pipelines/ingest/lines.ts). Both
 * must give what the plainest reading gives: the file decoded whole, a leading BOM dropped, split at "\n", one "\r"
 * before it dropped. Files over 1 MB are streamed in 1 MB reads, so lines, "\r\n" pairs and multi-byte characters
 * fall across reads.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clout-lines-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function expected(bytes: Buffer): string[] {
  let text = bytes.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  // a final newline ends the last line; it does not start another
  if (text.endsWith("\n")) lines.pop();
  return lines;
}

async function read(file: string): Promise<Line[]> {
  const out: Line[] = [];
  for await (const batch of readLineBatches(file)) out.push(...batch);
  return out;
}

function write(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** A deterministic mix of lines: ASCII, accented, emoji (4 bytes in UTF-8), empty, CRLF-ended, of many lengths. */
function mixed(count: number, seed: number, ascii: boolean): string {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const words = ascii ? ["alpha", "b", "{\"id\":1}", "x,y,z", "  "] : ["alpha", "é", "日本", "😀", "\u2028", "b"];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = Math.floor(rand() * 40);
    let line = "";
    for (let k = 0; k < n; k++) line += words[Math.floor(rand() * words.length)];
    if (rand() < 0.01) line = "y".repeat(Math.floor(rand() * 300_000));
    lines.push(line + (rand() < 0.3 ? "\r" : ""));
  }
  return lines.join("\n");
}

describe("readLineBatches", () => {
  const cases: [string, Buffer][] = [
    ["ascii, small, final newline", Buffer.from("a\r\nb\n\nc\n")],
    ["ascii, small, no final newline, ends in CR", Buffer.from("a\nb\r")],
    ["BOM and CRLF", Buffer.from("\uFEFFa,b\r\nc,d\r\n")],
    ["one empty line", Buffer.from("\n")],
    ["ascii, streamed across reads", Buffer.from(mixed(60_000, 1, true) + "\n")],
    ["non-ASCII, streamed across reads", Buffer.from(mixed(60_000, 2, false))],
    ["BOM, then non-ASCII, streamed", Buffer.from("\uFEFF" + mixed(40_000, 3, false) + "\n")],
  ];
  for (const [name, bytes] of cases) {
    it(`gives the lines of a plain reading: ${name}`, async () => {
      const file = write(`${name.replace(/\W+/g, "_")}.txt`, bytes);
      const got = await read(file);
      const want = expected(bytes);
      expect(got.map((l) => l.n)).toEqual(want.map((_, i) => i + 1));
      expect(got.map((l) => l.text)).toEqual(want);
    });
  }

  it("reads gzip like plain text, across reads", async () => {
    const bytes = Buffer.from(mixed(50_000, 4, false) + "\n");
    expect(bytes.length).toBeGreaterThan(2 << 20);
    const got = await read(write("mixed.jsonl.gz", gzipSync(bytes)));
    expect(got.map((l) => l.text)).toEqual(expected(bytes));
  });

  it("fails a file with a line over 10 MB, in ASCII and in other text, naming the line", async () => {
    for (const [name, long] of [
      ["ascii", "x".repeat(10 * 1024 * 1024 + 1)],
      ["utf8", "é".repeat(5 * 1024 * 1024 + 1)],
    ] as const) {
      const file = write(`long-${name}.txt`, Buffer.from(`ok\n${long}\nok\n`));
      await expect(read(file)).rejects.toThrow(FileError);
      await expect(read(file)).rejects.toThrow(/line 2 is longer than 10485760 bytes/);
    }
  });
});
