import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { Command, Option } from "commander";
import { UserError, messageOf, quote } from "../../lib/errors.ts";
import { PARQUET_OPTIONS } from "../../lib/files.ts";
import { Warehouse } from "../../lib/warehouse.ts";
import { contextOf, type Context } from "../context.ts";
import { table } from "../output.ts";

/**
 * `clout sql`: ad-hoc SQL over the published datasets, in its own in-memory DuckDB, so it never touches the
 * warehouse file and is never blocked by a running nightly. Each data/published/<name>.parquet is a view
 * named <name>. The published directory reaches SQL as a parameter (a session variable), never spliced.
 */
const FORMATS = ["table", "csv", "json", "parquet"] as const;
type Format = (typeof FORMATS)[number];

export async function openPublished(ctx: Context): Promise<{ wh: Warehouse; views: string[] }> {
  const dir = ctx.layout.published;
  if (!fs.existsSync(dir)) throw new UserError(`nothing published yet in ${quote(dir)}`, "run `clout nightly` (or `npm run demo`) first");
  const real = fs.realpathSync(dir);
  const views = fs
    .readdirSync(real)
    .filter((f) => /^[a-z_][a-z0-9_]*\.parquet$/.test(f))
    .map((f) => f.replace(/\.parquet$/, ""))
    .sort();
  const wh = await Warehouse.open({ path: ":memory:", memoryLimit: ctx.config.memoryLimit, threads: ctx.config.threads });
  // Pin the snapshot the link points at now: a publish during the session cannot change what a query sees.
  await wh.run("set variable published_dir = $1::varchar", [real]);
  for (const v of views) await wh.run(`create view "${v}" as select * from read_parquet(getvariable('published_dir') || '/${v}.parquet')`);
  return { wh, views };
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = v instanceof Date ? v.toISOString() : typeof v === "object" ? JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function runQuery(wh: Warehouse, query: string, format: Format, out: string | undefined, write: (s: string) => void): Promise<void> {
  const q = query.trim().replace(/;\s*$/, "");
  if (format === "parquet" || (out && format !== "table")) {
    if (!out) throw new UserError("--format parquet needs --out FILE", "e.g. --format parquet --out top.parquet");
    const fmt = format === "json" ? "(format json, array true)" : format === "csv" ? "(format csv, header true)" : `(${PARQUET_OPTIONS})`;
    await wh.run(`copy (${q}) to $1 ${fmt}`, [path.resolve(out)]);
    return;
  }
  const reader = await wh.conn.runAndReadAll(q);
  const names = reader.columnNames();
  const rows = reader.getRowObjectsJS();
  let text: string;
  if (format === "csv") text = [names.map(csvCell).join(","), ...rows.map((r) => names.map((n) => csvCell(r[n])).join(","))].join("\n") + "\n";
  else if (format === "json") text = `${JSON.stringify(rows, (_k, x) => (typeof x === "bigint" ? (Number.isSafeInteger(Number(x)) ? Number(x) : x.toString()) : x), 2)}\n`;
  else text = rows.length === 0 ? `(no rows; columns: ${names.join(", ")})\n` : `${table(rows as Record<string, unknown>[], 60).join("\n")}\n(${rows.length} row${rows.length === 1 ? "" : "s"})\n`;
  if (out) fs.writeFileSync(out, text);
  else write(text);
}

async function repl(wh: Warehouse, views: string[], format: Format): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: "clout> ", terminal: Boolean(process.stdin.isTTY) });
  process.stdout.write(`views: ${views.join(", ")}\nend a statement with ';'  ·  .tables  ·  .quit\n`);
  let buffer = "";
  rl.prompt();
  for await (const line of rl) {
    const t = line.trim();
    if (buffer === "" && (t === ".quit" || t === ".exit")) break;
    if (buffer === "" && t === ".tables") {
      process.stdout.write(`${views.join("\n")}\n`);
      rl.prompt();
      continue;
    }
    buffer += `${line}\n`;
    if (t.endsWith(";")) {
      try {
        await runQuery(wh, buffer, format, undefined, (s) => process.stdout.write(s));
      } catch (err) {
        process.stderr.write(`error: ${messageOf(err)}\n`);
      }
      buffer = "";
    }
    rl.prompt();
  }
  rl.close();
}

export function sqlCommand(): Command {
  return new Command("sql")
    .description("ad-hoc SQL over the published datasets (a REPL without -c); never blocked by a running nightly")
    .option("-c, --command <query>", "run one query and exit")
    .addOption(new Option("-f, --format <format>", "output format").choices(FORMATS).default("table"))
    .option("-o, --out <file>", "write the result to a file (required for parquet)")
    .action(async (opts: { command?: string; format: Format; out?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const { wh, views } = await openPublished(ctx);
      try {
        if (opts.command !== undefined) {
          try {
            await runQuery(wh, opts.command, opts.format, opts.out, (s) => process.stdout.write(s));
          } catch (err) {
            if (err instanceof UserError) throw err;
            throw new UserError(`query failed: ${messageOf(err).split("\n")[0]}`, `the views are: ${views.join(", ")}`);
          }
        } else {
          await repl(wh, views, opts.format);
        }
      } finally {
        wh.close();
      }
    });
}
