import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { UserError, messageOf, quote } from "../src/lib/errors.ts";
import { INSTALL_DIR } from "../src/lib/paths.ts";
import { Warehouse } from "../src/lib/warehouse.ts";
import { rowObject, splitDelimited } from "./ingest/csv.ts";
import { reasonOf } from "./validate.ts";

/**
 * The topic taxonomy in the warehouse: the source schema `topics` (not a model layer), rebuilt before each
 * build from Clout's seed (data/seeds/topics.csv) and, once imported, Klout's published ontology
 * (<lake>/topics/klout/{topics,edges}.parquet, landed by `clout topics import --klout DIR`).
 *
 *   topics.taxonomy  topic_id, slug, display_name, source ('clout' | 'klout'), keywords[], hashtags[], klout_topic_id
 *   topics.edges     parent_id, child_id
 *
 * Ids are text. Clout's topics keep their seed ids ('1'–'16' top level, '100'…); a Klout topic that is one
 * of ours keeps our id (a `<slug>-super` topic is our top-level `<slug>`, any other Klout topic with one of
 * our slugs is that topic), and every other Klout topic is 'klout:<topicId>' — Klout's own ids overlap ours
 * ('2' is Zumba there) and its top-level ids exceed signed 64-bit, so they stay text.
 *
 * One hierarchy results. Clout chose the parents of its own topics (data/seeds/README.md), so Klout's edges
 * are kept only where the child is a Klout-only topic: Klout topics hang under ours, never the reverse.
 * That also keeps the merged graph acyclic (a path that enters Klout-only topics never leaves them, and
 * Klout's graph is a DAG); the load still checks for cycles, since the closure model could not end on one.
 */

export const DEFAULT_SEED_FILE = path.join(INSTALL_DIR, "data", "seeds", "topics.csv");

/** Where `clout topics import` lands Klout's ontology, under the lake. */
export function kloutLakeDir(lakeDir: string): string {
  return path.join(lakeDir, "topics", "klout");
}

export interface TopicSourcesReport {
  topics: number;
  cloutTopics: number;
  kloutTopics: number;
  edges: number;
  /** Whether Klout's ontology was found in the lake and merged. */
  klout: boolean;
}

/** (Re)create `topics.taxonomy` and `topics.edges` from the seed and, if landed, Klout's ontology. */
export async function loadTopicSources(wh: Warehouse, opts: { seedFile: string; lakeDir: string }): Promise<TopicSourcesReport> {
  if (!fs.existsSync(opts.seedFile)) {
    throw new UserError(`Failed to load topics: seed ${quote(opts.seedFile)} does not exist`, "the taxonomy ships as data/seeds/topics.csv in the Clout installation");
  }
  const kloutDir = kloutLakeDir(opts.lakeDir);
  const kloutTopicsFile = path.join(kloutDir, "topics.parquet");
  const kloutEdgesFile = path.join(kloutDir, "edges.parquet");
  const klout = fs.existsSync(kloutTopicsFile) && fs.existsSync(kloutEdgesFile);

  await wh.run("create schema if not exists topics");
  try {
    await wh.run(
      `create or replace temp table topics_seed as
       with source as (
           select topic_id, slug, display_name, parent_slugs, keywords, hashtags
           from read_csv($1, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
       ),
       split as (
           select
               trim(topic_id) as topic_id,
               trim(slug) as slug,
               coalesce(nullif(trim(display_name), ''), trim(slug)) as display_name,
               list_filter(list_transform(string_split(coalesce(parent_slugs, ''), '|'), x -> trim(x)), x -> x <> '') as parent_slugs,
               list_filter(list_transform(string_split(coalesce(keywords, ''), '|'), x -> lower(trim(x))), x -> x <> '') as keywords,
               list_filter(list_transform(string_split(coalesce(hashtags, ''), '|'), x -> ltrim(lower(trim(x)), '#')), x -> x <> '') as hashtags
           from source
       )
       select * from split`,
      [opts.seedFile],
    );
  } catch (err) {
    throw new UserError(`Failed to load topics seed ${quote(opts.seedFile)}: ${messageOf(err).split("\n")[0]}`, "columns: topic_id,slug,display_name,parent_slugs,keywords,hashtags (see data/seeds/README.md)", { cause: err });
  }
  const problems = await wh.all<{ problem: string }>(
    `select 'topic ' || coalesce('"' || slug || '"', 'on a line') || ' has no topic_id' as problem from topics_seed where coalesce(topic_id, '') = ''
     union all select 'a topic with id "' || topic_id || '" has no slug' from topics_seed where coalesce(slug, '') = ''
     union all select 'topic_id "' || topic_id || '" is used ' || count(*) || ' times' from topics_seed group by topic_id having count(*) > 1
     union all select 'slug "' || slug || '" is used ' || count(*) || ' times' from topics_seed group by slug having count(*) > 1
     union all select 'parent "' || p || '" of "' || s.slug || '" is not a topic' from topics_seed s, unnest(s.parent_slugs) as u(p) where p not in (select slug from topics_seed)
     limit 5`,
  );
  if (problems.length > 0) {
    throw new UserError(`Failed to load topics seed ${quote(opts.seedFile)}: ${problems.map((p) => p.problem).join("; ")}`, "fix the seed; data/seeds/README.md lists its rules");
  }

  await wh.run("create or replace temp table topics_klout (topic_id varchar, slug varchar, display_name varchar)");
  await wh.run("create or replace temp table topics_klout_edges (parent_slug varchar, child_slug varchar)");
  if (klout) {
    try {
      await wh.run("insert into topics_klout select topic_id, topic_slug, display_name from read_parquet($1)", [kloutTopicsFile]);
      await wh.run("insert into topics_klout_edges select parent_topic_slug, child_topic_slug from read_parquet($1)", [kloutEdgesFile]);
    } catch (err) {
      throw new UserError(`Failed to load Klout's ontology from ${quote(kloutDir)}: ${messageOf(err).split("\n")[0]}`, "re-run `clout topics import --klout DIR`", { cause: err });
    }
  }

  await wh.transaction(async () => {
    // Every Klout topic with the id it has in the merged taxonomy: ours where it is one of ours.
    await wh.run(
      `create or replace temp table topics_klout_map as
       select
           k.topic_id as klout_topic_id,
           k.slug,
           k.display_name,
           coalesce(same.topic_id, super.topic_id) as clout_topic_id,
           coalesce(same.topic_id, super.topic_id, 'klout:' || k.topic_id) as topic_id
       from topics_klout as k
       left join topics_seed as same on same.slug = k.slug
       left join topics_seed as super
           on k.slug like '%-super' and super.slug = regexp_replace(k.slug, '-super$', '') and len(super.parent_slugs) = 0`,
    );
    await wh.run(
      `create or replace table topics.taxonomy as
       with seed as (
           select * from topics_seed
       ),
       klout_map as (
           select * from topics_klout_map
       ),
       clout_topics as (
           select
               s.topic_id,
               s.slug,
               s.display_name,
               'clout' as source,
               s.keywords,
               s.hashtags,
               -- a top-level topic is Klout's '<slug>-super'; any other is Klout's topic of the same slug
               coalesce(
                   (select min(m.klout_topic_id) from klout_map as m where m.clout_topic_id = s.topic_id and m.slug = s.slug || '-super'),
                   (select min(m.klout_topic_id) from klout_map as m where m.clout_topic_id = s.topic_id and m.slug = s.slug)
               ) as klout_topic_id
           from seed as s
       ),
       klout_topics as (
           select topic_id, slug, display_name, 'klout' as source, []::varchar[] as keywords, []::varchar[] as hashtags, klout_topic_id
           from klout_map
           where clout_topic_id is null
       ),
       final as (
           select * from clout_topics
           union all
           select * from klout_topics
       )
       select * from final order by source, topic_id`,
    );
    await wh.run(
      `create or replace table topics.edges as
       with seed_edges as (
           select parent.topic_id as parent_id, child.topic_id as child_id
           from topics_seed as child
           cross join unnest(child.parent_slugs) as u(parent_slug)
           join topics_seed as parent on parent.slug = u.parent_slug
       ),
       slug_ids as (
           select slug, topic_id, true as is_clout from topics_seed
           union all
           select slug, topic_id, clout_topic_id is not null from topics_klout_map where slug not in (select slug from topics_seed)
       ),
       -- Klout's edges into its own topics only: Clout chose the parents of its topics
       klout_edges as (
           select parent.topic_id as parent_id, child.topic_id as child_id
           from topics_klout_edges as e
           join slug_ids as parent on parent.slug = e.parent_slug
           join slug_ids as child on child.slug = e.child_slug
           where not child.is_clout and parent.topic_id <> child.topic_id
       ),
       final as (
           select * from seed_edges
           union
           select * from klout_edges
       )
       select * from final order by parent_id, child_id`,
    );
    const cycle = await wh.one<{ topic_id: string }>(
      `with recursive walk(start_id, node_id, steps) as (
           select parent_id, child_id, 1 from topics.edges
           union
           select w.start_id, e.child_id, w.steps + 1
           from walk as w join topics.edges as e on e.parent_id = w.node_id
           where w.steps < 64 and w.node_id <> w.start_id
       )
       select start_id as topic_id from walk where node_id = start_id limit 1`,
    );
    if (cycle) {
      throw new UserError(`Failed to load topics: the hierarchy has a cycle through topic ${quote(cycle.topic_id)}`, "a topic may not be its own ancestor; fix parent_slugs in the seed");
    }
  });
  await wh.run("drop table if exists topics_seed; drop table if exists topics_klout; drop table if exists topics_klout_edges; drop table if exists topics_klout_map");
  const counts = await wh.one<{ topics: number; clout: number; klout: number; edges: number }>(
    `select count(*)::integer as topics, count(*) filter (where source = 'clout')::integer as clout,
            count(*) filter (where source = 'klout')::integer as klout, (select count(*)::integer from topics.edges) as edges
     from topics.taxonomy`,
  );
  return { topics: counts!.topics, cloutTopics: counts!.clout, kloutTopics: counts!.klout, edges: counts!.edges, klout };
}

// ---------------------------------------------------------------------------------------------------------
// Klout's ontology: klout_topic_ontology_<date>.csv and klout_topic_edge_<date>.csv (github klout/opendata)

const MAX_U64 = 2n ** 64n - 1n;
/** Klout's ids: unsigned 64-bit integers written in decimal; the top-level ones exceed signed 64-bit. */
const KloutId = z
  .string()
  .trim()
  .regex(/^\d{1,20}$/, "not a decimal topic id")
  // zod runs every check, so this one must not trip over what the regex already refused
  .refine((v) => !/^\d+$/.test(v) || BigInt(v) <= MAX_U64, "exceeds 64 bits");
const KloutSlug = z.string().trim().min(1, "empty slug").max(200, "slug longer than 200 characters").regex(/^\S+$/, "slug contains white space");
/** Klout writes a missing value as "null". */
const Missing = z
  .string()
  .trim()
  .transform((v) => (v === "" || v.toLowerCase() === "null" ? null : v));

export const KloutTopicRow = z.object({
  topicId: KloutId,
  topicSlug: KloutSlug,
  topicDisplayName: z.string().trim().min(1, "empty display name").max(500, "display name longer than 500 characters"),
  wikiItemId: Missing.pipe(z.string().regex(/^Q\d+$/, "not a Wikidata item id (Q…)").nullable()),
  freebaseMachineId: Missing,
});
export type KloutTopicRow = z.infer<typeof KloutTopicRow>;

/** One parent → child edge. The published header spells the parent's slug `parrentTopicSlug`. */
export const KloutEdgeRow = z.object({
  parentTopicId: KloutId,
  parrentTopicSlug: KloutSlug,
  childTopicId: KloutId,
  childTopicSlug: KloutSlug,
});
export type KloutEdgeRow = z.infer<typeof KloutEdgeRow>;

export interface KloutReject {
  line: number;
  reason: string;
}

export interface KloutFileReport {
  file: string;
  /** Data lines read (the header excluded). */
  lines: number;
  accepted: number;
  rejected: number;
  rejects: KloutReject[];
}

export interface KloutImportReport {
  /** The date in the file names, e.g. 20180601. */
  version: string;
  topics: KloutFileReport;
  edges: KloutFileReport;
  /** The landed files. */
  out: { topics: string; edges: string };
}

/** The latest dated pair of ontology and edge files in `dir`. */
function findKloutFiles(dir: string): { version: string; topicsFile: string; edgesFile: string } {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UserError(`--klout ${quote(dir)} is not a directory`, "give the folder holding klout_topic_ontology_<date>.csv and klout_topic_edge_<date>.csv (github klout/opendata)");
  }
  const names = fs.readdirSync(dir);
  const dated = (re: RegExp) => new Set(names.map((n) => re.exec(n)?.[1]).filter((d): d is string => d !== undefined));
  const topicDates = dated(/^klout_topic_ontology_(\d+)\.csv$/);
  const edgeDates = dated(/^klout_topic_edge_(\d+)\.csv$/);
  const both = [...topicDates].filter((d) => edgeDates.has(d)).sort();
  const version = both.at(-1);
  if (!version) {
    const have = names.filter((n) => n.startsWith("klout_topic_")).join(", ") || "none";
    throw new UserError(
      `no pair of klout_topic_ontology_<date>.csv and klout_topic_edge_<date>.csv in ${quote(dir)} (klout_topic_ files found: ${have})`,
      "give the folder of github klout/opendata, e.g. --klout ../shared/data/klout-opendata",
    );
  }
  return { version, topicsFile: path.join(dir, `klout_topic_ontology_${version}.csv`), edgesFile: path.join(dir, `klout_topic_edge_${version}.csv`) };
}

/** Read one CSV and validate each line; `key` finds duplicates (the second one is rejected). */
function readKloutCsv<T>(
  file: string,
  schema: z.ZodType<T>,
  required: string[],
  key: (row: T) => string,
  keyName: string,
  aliases: Record<string, string> = {},
): { report: KloutFileReport; rows: { line: number; row: T }[] } {
  const text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  const headerSplit = lines.length > 0 ? splitDelimited(lines[0]!, ",") : { ok: false as const, reason: "empty file" };
  if (!headerSplit.ok) throw new UserError(`cannot read ${quote(file)}: line 1 is not a CSV header (${headerSplit.reason})`, "is this Klout's published file?");
  const header = headerSplit.fields.map((h) => {
    const name = h.trim();
    return aliases[name] ?? name;
  });
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new UserError(`${quote(path.basename(file))} has no column ${missing.map(quote).join(", ")} (header: ${lines[0]!.slice(0, 120)})`, `expected the columns ${required.join(", ")}`);
  }
  const report: KloutFileReport = { file, lines: 0, accepted: 0, rejected: 0, rejects: [] };
  const out: { line: number; row: T }[] = [];
  const firstLine = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const n = i + 1;
    const textLine = lines[i]!;
    report.lines++;
    let reason: string | undefined;
    const split = splitDelimited(textLine, ",");
    if (textLine.trim() === "") reason = "empty line";
    else if (!split.ok) reason = split.reason;
    else if (split.fields.length !== header.length) reason = `expected ${header.length} fields, got ${split.fields.length}`;
    else {
      const parsed = schema.safeParse(rowObject(split.fields, header));
      if (!parsed.success) reason = reasonOf(parsed.error);
      else {
        const k = key(parsed.data);
        const seen = firstLine.get(k);
        if (seen !== undefined) reason = `duplicate ${keyName} ${k} (first on line ${seen})`;
        else {
          firstLine.set(k, n);
          out.push({ line: n, row: parsed.data });
        }
      }
    }
    if (reason !== undefined) {
      report.rejected++;
      report.rejects.push({ line: n, reason });
    } else report.accepted++;
  }
  return { report, rows: out };
}

/**
 * Validate Klout's ontology in `dir` (read-only) and land it as <lake>/topics/klout/{topics,edges}.parquet,
 * each file written aside and renamed into place. Malformed lines are rejected with their reasons; when
 * more than `rejectThreshold` of a file's lines are rejected nothing is landed.
 */
export async function importKlout(opts: { dir: string; lakeDir: string; rejectThreshold?: number }): Promise<KloutImportReport> {
  const threshold = opts.rejectThreshold ?? 0.05;
  const { version, topicsFile, edgesFile } = findKloutFiles(opts.dir);
  const topics = readKloutCsv(topicsFile, KloutTopicRow, ["topicId", "topicSlug", "topicDisplayName", "wikiItemId", "freebaseMachineId"], (r) => r.topicId, "topicId");
  const edges = readKloutCsv(
    edgesFile,
    KloutEdgeRow,
    ["parentTopicId", "parrentTopicSlug", "childTopicId", "childTopicSlug"],
    (r) => `${r.parentTopicId} → ${r.childTopicId}`,
    "edge",
    { parentTopicSlug: "parrentTopicSlug" },
  );
  // The same slug on two topics would make the slug-based merge ambiguous: reject the later one.
  const slugLine = new Map<string, number>();
  topics.rows = topics.rows.filter(({ line, row }) => {
    const seen = slugLine.get(row.topicSlug);
    if (seen === undefined) {
      slugLine.set(row.topicSlug, line);
      return true;
    }
    topics.report.accepted--;
    topics.report.rejected++;
    topics.report.rejects.push({ line, reason: `duplicate topicSlug ${quote(row.topicSlug)} (first on line ${seen})` });
    return false;
  });
  topics.report.rejects.sort((a, b) => a.line - b.line);
  for (const r of [topics.report, edges.report]) {
    if (r.accepted === 0) throw new UserError(`${quote(path.basename(r.file))} has no valid rows (${r.rejected} rejected${r.rejects[0] ? `; line ${r.rejects[0].line}: ${r.rejects[0].reason}` : ""})`, "is this Klout's published file?");
    if (r.rejected > threshold * r.lines) {
      const first = r.rejects.slice(0, 3).map((x) => `line ${x.line}: ${x.reason}`).join("; ");
      throw new UserError(
        `${r.rejected} of ${r.lines} lines of ${quote(path.basename(r.file))} are malformed, more than the reject threshold ${threshold} (${first})`,
        "nothing was landed; fix the file or raise --reject-threshold",
      );
    }
  }

  const outDir = kloutLakeDir(opts.lakeDir);
  fs.mkdirSync(outDir, { recursive: true });
  const out = { topics: path.join(outDir, "topics.parquet"), edges: path.join(outDir, "edges.parquet") };
  const suffix = `.tmp-${process.pid}-${Date.now()}`;
  const wh = await Warehouse.open({ path: ":memory:", threads: 1 });
  try {
    await wh.run(
      `create table klout_topics (topic_id varchar, topic_slug varchar, display_name varchar, wiki_item_id varchar, freebase_machine_id varchar, source_line integer);
       create table klout_edges (parent_topic_id varchar, parent_topic_slug varchar, child_topic_id varchar, child_topic_slug varchar, source_line integer)`,
    );
    const append = async (table: string, values: (string | number | null)[][]) => {
      const appender = await wh.conn.createAppender(table);
      try {
        for (const v of values) {
          for (const x of v) {
            if (x === null) appender.appendNull();
            else if (typeof x === "number") appender.appendInteger(x);
            else appender.appendVarchar(x);
          }
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    };
    await append("klout_topics", topics.rows.map(({ line, row }) => [row.topicId, row.topicSlug, row.topicDisplayName, row.wikiItemId, row.freebaseMachineId, line]));
    await append("klout_edges", edges.rows.map(({ line, row }) => [row.parentTopicId, row.parrentTopicSlug, row.childTopicId, row.childTopicSlug, line]));
    const written: string[] = [];
    try {
      for (const [table, file, src] of [
        ["klout_topics", out.topics, topicsFile],
        ["klout_edges", out.edges, edgesFile],
      ] as const) {
        await wh.run(
          `copy (select * exclude (source_line), $1::varchar as source_file, source_line::bigint as source_line from ${table} order by source_line) to $2 (format parquet, compression zstd)`,
          [path.basename(src), file + suffix],
        );
        written.push(file + suffix);
      }
      for (const file of [out.topics, out.edges]) fs.renameSync(file + suffix, file);
    } finally {
      for (const f of written) fs.rmSync(f, { force: true });
    }
  } finally {
    wh.close();
  }
  return { version, topics: topics.report, edges: edges.report, out };
}
