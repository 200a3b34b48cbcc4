import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Command, InvalidArgumentError } from "commander";
import { UserError, messageOf, quote } from "../../lib/errors.ts";
import { pagerank } from "../../lib/pagerank.ts";
import { ident, Warehouse } from "../../lib/warehouse.ts";
import { contextOf } from "../context.ts";
import { count, seconds } from "../output.ts";

const READERS: Record<string, string> = {
  ".csv": "read_csv($1, header = true, delim = ',', all_varchar = true)",
  ".tsv": "read_csv($1, header = true, delim = '\t', all_varchar = true)",
  ".parquet": "read_parquet($1)",
};
const FILE_HINT = "give a .csv or .tsv file whose first line is the header src,dst[,weight], or a .parquet file with those columns";

function parseDamping(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError("the damping factor must be a number between 0 and 1, both excluded (e.g. 0.85).");
  return n;
}

function parseTol(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("the tolerance must be a positive number (e.g. 1e-6).");
  return n;
}

function parseMaxIter(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1) throw new InvalidArgumentError("the iteration cap must be a whole number of at least 1 (e.g. 100).");
  return n;
}

/**
 * Load the edge file into `edges(src varchar, dst varchar, weight double)`, ids as text (they may exceed
 * 2^63). The path reaches SQL only as a parameter. Problems are reported with the first offending row.
 */
async function loadEdges(wh: Warehouse, file: string): Promise<number> {
  if (!fs.existsSync(file)) throw new UserError(`edge file ${quote(file)} does not exist`, FILE_HINT);
  if (!fs.statSync(file).isFile()) throw new UserError(`edge file ${quote(file)} is not a file`, FILE_HINT);
  const ext = path.extname(file).toLowerCase();
  const reader = READERS[ext];
  if (!reader) throw new UserError(`cannot read ${quote(file)}: unknown extension ${quote(ext || "(none)")}`, FILE_HINT);
  try {
    await wh.run(`create temp table edge_file as select * from ${reader}`, [file]);
  } catch (err) {
    throw new UserError(`cannot read ${quote(file)}: ${messageOf(err).split("\n")[0]}`, FILE_HINT, { cause: err });
  }
  const columns = (await wh.all<{ column_name: string; column_type: string }>("describe edge_file")).map((c) => ({ ...c, name: c.column_name.toLowerCase() }));
  const column = (name: string) => columns.find((c) => c.name === name);
  for (const name of ["src", "dst"]) {
    if (!column(name)) {
      throw new UserError(
        `${quote(file)} has no ${quote(name)} column (its columns: ${columns.map((c) => quote(c.column_name)).join(", ")})`,
        ext === ".parquet" ? FILE_HINT : "the first line must be a header naming the columns: src,dst or src,dst,weight",
      );
    }
  }
  const where = ext === ".parquet" ? "row" : "line";
  // rowid follows the file's order; in a csv/tsv the header is line 1.
  const position = ext === ".parquet" ? "rowid + 1" : "rowid + 2";
  const src = ident(column("src")!.column_name);
  const dst = ident(column("dst")!.column_name);
  const missing = await wh.one<{ at: number; which: string }>(
    `select ${position} as at, case when ${src} is null then 'src' else 'dst' end as which
     from edge_file where ${src} is null or ${dst} is null order by rowid limit 1`,
  );
  if (missing) throw new UserError(`${where} ${missing.at} of ${quote(file)} has no ${missing.which}`, "every edge needs both a src and a dst");

  const weightColumn = column("weight");
  const weight = weightColumn ? ident(weightColumn.column_name) : undefined;
  if (weight) {
    const bad = await wh.one<{ at: number; value: string }>(
      `select ${position} as at, ${weight}::varchar as value from edge_file
       where ${weight} is not null and (try_cast(${weight} as double) is null or not isfinite(try_cast(${weight} as double)) or try_cast(${weight} as double) < 0)
       order by rowid limit 1`,
    );
    if (bad) {
      throw new UserError(
        `weight ${quote(bad.value)} on ${where} ${bad.at} of ${quote(file)} is not a non-negative number`,
        "weights must be numbers >= 0 (an empty weight counts as 1); leave the weight column out for an unweighted graph",
      );
    }
  }
  await wh.run(`create temp view edges as
    select ${src}::varchar as src, ${dst}::varchar as dst, ${weight ? `${weight}::double` : "1::double"} as weight from edge_file`);
  const n = await wh.one<{ n: number }>("select count(*)::bigint as n from edge_file");
  return n!.n;
}

/** Write `node,rank` sorted by rank (highest first) then node: Parquet for .parquet, otherwise CSV. */
async function writeRanks(wh: Warehouse, target: string): Promise<void> {
  const format = path.extname(target).toLowerCase() === ".parquet" ? "(format parquet)" : "(format csv, header true)";
  // Write beside the target and rename, so a failed run never leaves half a file.
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
    await wh.run(`copy (select node, rank from ranks order by rank desc, node) to $1 ${format}`, [tmp]);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new UserError(`cannot write ${quote(target)}: ${messageOf(err).split("\n")[0]}`, "check that the folder is writable, or leave out --out to print the ranks", { cause: err });
  }
}

export function pagerankCommand(): Command {
  return new Command("pagerank")
    .description("weighted PageRank of an edge file with columns src,dst[,weight] (networkx's conventions); prints node,rank")
    .argument("<edges>", "edge file: .csv or .tsv with a header line, or .parquet")
    .option("--damping <d>", "damping factor, between 0 and 1", parseDamping, 0.85)
    .option("--tol <t>", "stop when the sum of rank changes is below nodes × tol (networkx's rule)", parseTol, 1e-6)
    .option("--max-iter <n>", "iteration cap (ranks from the last iteration, with a warning, if reached)", parseMaxIter, 100)
    .option("-o, --out <file>", "write node,rank to FILE (Parquet if it ends in .parquet, CSV otherwise) instead of stdout")
    .action(async (file: string, flags: { damping: number; tol: number; maxIter: number; out?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const wh = await Warehouse.open({ path: ":memory:", memoryLimit: ctx.config.memoryLimit, threads: ctx.config.threads });
      try {
        ctx.out.progress(`reading ${file}…`);
        const rows = await loadEdges(wh, file);
        if (rows === 0) throw new UserError(`${quote(file)} has no edges`, "the file needs at least one row below its header: src,dst[,weight]");
        const result = await pagerank(wh, {
          edges: "edges",
          out: "ranks",
          damping: flags.damping,
          tol: flags.tol,
          maxIter: flags.maxIter,
          onIteration: (i, err) => ctx.out.progress(`pagerank: iteration ${i}, change ${err.toExponential(2)}`),
        });
        ctx.out.clearProgress();
        if (!result.converged) {
          ctx.out.warn(`pagerank did not converge in ${result.iterations} iterations; the ranks are from the last one (raise --max-iter or --tol)`);
        }
        if (flags.out) {
          await writeRanks(wh, flags.out);
          ctx.out.line(
            `pagerank: ${count(result.nodes)} nodes, ${count(result.edges)} edges, ${result.iterations} iterations${result.converged ? "" : " (not converged)"} in ${seconds(result.seconds)} → ${flags.out}`,
          );
        } else {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clout-pagerank-"));
          try {
            const tmp = path.join(dir, "ranks.csv");
            await wh.run("copy (select node, rank from ranks order by rank desc, node) to $1 (format csv, header true)", [tmp]);
            await pipeline(fs.createReadStream(tmp), process.stdout, { end: false });
          } finally {
            fs.rmSync(dir, { recursive: true, force: true });
          }
        }
      } finally {
        wh.close();
      }
    });
}
