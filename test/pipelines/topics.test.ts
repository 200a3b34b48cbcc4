import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SEED_FILE, kloutLakeDir, loadTopicSources } from "../../pipelines/topics.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { runCli } from "../helpers/cli.ts";
import { memoryWarehouse, modelSql, tempDir } from "../helpers/warehouse.ts";

const KLOUT_DIR = path.resolve(INSTALL_DIR, "../shared/data/klout-opendata");
const haveKlout = fs.existsSync(path.join(KLOUT_DIR, "klout_topic_ontology_20180601.csv"));
if (!haveKlout) console.warn(`SKIPPED: Klout ontology tests — ${KLOUT_DIR} is absent (../shared/data is not part of the project)`);

const dirs: string[] = [];
function scratch(): string {
  const d = tempDir("clout-topics-");
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function count(wh: Warehouse, sql: string, params?: string[]): Promise<number> {
  return (await wh.one<{ n: number }>(`select (${sql})::integer as n`, params))!.n;
}

describe("loadTopicSources on the seed", () => {
  let wh: Warehouse;
  beforeAll(async () => {
    wh = await memoryWarehouse();
  });
  afterAll(() => wh.close());

  it("creates topics.taxonomy and topics.edges: 761 topics, 16 roots, multi-parent edges", async () => {
    const r = await loadTopicSources(wh, { seedFile: DEFAULT_SEED_FILE, lakeDir: path.join(scratch(), "lake") });
    expect(r).toEqual({ topics: 761, cloutTopics: 761, kloutTopics: 0, edges: 1072, klout: false });
    expect(await count(wh, "select count(*) from topics.taxonomy where source = 'clout'")).toBe(761);
    const roots = await wh.all<{ slug: string }>("select slug from topics.taxonomy where topic_id not in (select child_id from topics.edges) order by topic_id::integer");
    expect(roots.map((x) => x.slug)).toEqual([
      "arts-and-humanities", "food-and-drink", "government-and-politics", "health-and-wellness", "news-and-media", "science-and-nature",
      "sports-and-recreation", "location", "fashion", "education", "hobbies", "entertainment", "business", "technology", "lifestyle", "travel-and-tourism",
    ]);
    // data/seeds/README.md: 316 subtopics have more than one parent
    expect(await count(wh, "select count(*) from (select child_id from topics.edges group by child_id having count(*) > 1)")).toBe(316);
    // art-history has two parents: art and history
    const parents = await wh.all<{ slug: string }>(
      "select p.slug from topics.edges e join topics.taxonomy p on p.topic_id = e.parent_id join topics.taxonomy c on c.topic_id = e.child_id where c.slug = 'art-history' order by p.slug",
    );
    expect(parents.map((x) => x.slug)).toEqual(["art", "history"]);
    const painting = await wh.one("select topic_id, display_name, keywords, hashtags, klout_topic_id, typeof(topic_id) as id_type from topics.taxonomy where slug = 'painting'");
    expect(painting).toEqual({
      topic_id: "101",
      display_name: "Painting",
      keywords: ["oil painting", "watercolor", "acrylic paint", "brushstrokes", "easel"],
      hashtags: ["painting", "watercolor", "oilpainting", "acrylicpainting"],
      klout_topic_id: null,
      id_type: "VARCHAR",
    });
  });

  it("reloads in place, and refuses a seed with an unknown parent or a cycle", async () => {
    const dir = scratch();
    const seed = path.join(dir, "topics.csv");
    fs.writeFileSync(seed, "topic_id,slug,display_name,parent_slugs,keywords,hashtags\n1,a,A,,x,a\n100,b,B,a|nope,y,b\n");
    await expect(loadTopicSources(wh, { seedFile: seed, lakeDir: path.join(dir, "lake") })).rejects.toThrow(/parent "nope" of "b" is not a topic/);
    fs.writeFileSync(seed, "topic_id,slug,display_name,parent_slugs,keywords,hashtags\n1,a,A,,x,a\n100,b,B,a|c,y,b\n101,c,C,b,z,c\n");
    await expect(loadTopicSources(wh, { seedFile: seed, lakeDir: path.join(dir, "lake") })).rejects.toThrow(/cycle through topic "10[01]"/);
    fs.writeFileSync(seed, "topic_id,slug,display_name,parent_slugs,keywords,hashtags\n1,a,A,,x,a\n100,b,B,a,\"y|w\",b\n");
    expect(await loadTopicSources(wh, { seedFile: seed, lakeDir: path.join(dir, "lake") })).toMatchObject({ topics: 2, edges: 1 });
    await expect(loadTopicSources(wh, { seedFile: path.join(dir, "missing.csv"), lakeDir: dir })).rejects.toThrow(/does not exist/);
  });
});

describe.skipIf(!haveKlout)("clout topics import --klout (Klout's published ontology)", () => {
  let dataDir: string;
  let wh: Warehouse;
  beforeAll(async () => {
    dataDir = scratch();
    wh = await memoryWarehouse();
  });
  afterAll(() => wh.close());

  it("lands exactly 8,033 topics and 13,446 edges, ids beyond 2^63 exact", async () => {
    const r = await runCli(["--data-dir", dataDir, "topics", "import", "--klout", KLOUT_DIR]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/topics\s+8,033 accepted\s+0 rejected/);
    expect(r.stdout).toMatch(/edges\s+13,446 accepted\s+0 rejected/);
    const dir = kloutLakeDir(path.join(dataDir, "lake"));
    expect(fs.readdirSync(dir).sort()).toEqual(["edges.parquet", "topics.parquet"]);
    const topics = path.join(dir, "topics.parquet");
    const edges = path.join(dir, "edges.parquet");
    expect(await count(wh, "select count(*) from read_parquet($1)", [topics])).toBe(8033);
    expect(await count(wh, "select count(*) from read_parquet($1)", [edges])).toBe(13446);
    expect(await wh.one("select topic_id, typeof(topic_id) as t from read_parquet($1) where topic_slug = 'arts-and-humanities-super'", [topics])).toEqual({ topic_id: "10000000000000000000", t: "VARCHAR" });
    // every id, the 2^63-and-up ones included, as Klout wrote it
    const csv = path.join(KLOUT_DIR, "klout_topic_ontology_20180601.csv");
    expect(await count(wh, "select count(*) from read_parquet($1) where topic_id::hugeint >= 9223372036854775808", [topics])).toBeGreaterThanOrEqual(16);
    expect(
      await count(wh, "select count(*) from read_csv($1, all_varchar = true) as c full join read_parquet($2) as p on p.topic_id = c.topicId and p.topic_slug = c.topicSlug where p.topic_id is null or c.topicId is null", [csv, topics]),
    ).toBe(0);
    expect(await count(wh, "select count(*) from read_parquet($1) where wiki_item_id is null", [topics])).toBe(33);
    expect(await wh.one("select parent_topic_slug, child_topic_id from read_parquet($1) where child_topic_slug = 'arts-and-humanities-super'", [edges])).toEqual({
      parent_topic_slug: "_ROOT_",
      child_topic_id: "10000000000000000000",
    });
  });

  it("merges into one hierarchy: Klout's *-super topics are our 16 top-level topics, same slugs the same topic", async () => {
    const r = await loadTopicSources(wh, { seedFile: DEFAULT_SEED_FILE, lakeDir: path.join(dataDir, "lake") });
    expect(r).toMatchObject({ klout: true, cloutTopics: 761, kloutTopics: 8033 - 738 - 16, topics: 761 + 8033 - 738 - 16 });
    expect(await count(wh, "select count(*) from topics.taxonomy where topic_id not in (select child_id from topics.edges)")).toBe(16);
    expect(await count(wh, "select count(*) from topics.taxonomy where slug like '%-super' or slug = '_ROOT_'")).toBe(0);
    expect(await wh.one("select topic_id, source, klout_topic_id from topics.taxonomy where slug = 'fashion'")).toEqual({ topic_id: "9", source: "clout", klout_topic_id: "10000000000000016629" });
    // Klout's id 11 is ours 11 (Hobbies) too: a Klout-only topic's id is namespaced
    expect(await wh.one("select topic_id, source, klout_topic_id from topics.taxonomy where slug = 'word-of-mouth-marketing'")).toEqual({ topic_id: "klout:11", source: "klout", klout_topic_id: "11" });
    expect(await wh.one("select topic_id, source, klout_topic_id from topics.taxonomy where slug = 'zumba'")).toEqual({ topic_id: "263", source: "clout", klout_topic_id: "2" });
    // a Klout-only topic hangs under our topic; our topics keep the parents the seed gives them
    expect(await count(wh, "select count(*) from topics.edges where parent_id = '9' and child_id = 'klout:7531820320650982104'")).toBe(1);
    expect(await count(wh, "select count(*) from topics.edges e join topics.taxonomy c on c.topic_id = e.child_id where c.source = 'clout'")).toBe(1072);
    expect(await count(wh, "select count(*) from topics.edges where parent_id not in (select topic_id from topics.taxonomy) or child_id not in (select topic_id from topics.taxonomy)")).toBe(0);
    // the closure model runs on the merged hierarchy, and every topic lies under a top-level topic
    const closure = modelSql("sql/intermediate/topics/int_topic_closure.sql");
    await wh.run(`create or replace temp table closure as ${closure}`);
    expect(
      await count(wh, "select count(distinct descendant_id) from closure where ancestor_id in (select topic_id from topics.taxonomy where topic_id not in (select child_id from topics.edges))"),
    ).toBe(r.topics);
  });
});

describe("clout topics import rejects", () => {
  const ONTOLOGY_HEADER = '"topicId","topicSlug","topicDisplayName","wikiItemId","freebaseMachineId"';
  const EDGE_HEADER = '"parentTopicId","parrentTopicSlug","childTopicId","childTopicSlug"';
  const BAD_TOPICS = [
    ONTOLOGY_HEADER,
    '1,"ok-one","OK One","Q1","0m1"',
    '2,"ok-two","OK Two","null","null"',
    'x3,"bad-id","Bad","Q3","0m3"',
    '4,"","Empty Slug","Q4","0m4"',
    '1,"again","Duplicate Id","Q5","0m5"',
    '5,"five","Four Fields","Q6"',
    '99999999999999999999,"too-big","Too Big","Q7","0m7"',
    '6,"ok-two","Duplicate Slug","Q8","0m8"',
    '7,"seven","Bad Wiki","P31","0m9"',
  ];
  const EDGES = [EDGE_HEADER, '0,"_ROOT_",1,"ok-one"', '1,"ok-one",2,"ok-two"', '1,"ok-one",2,"ok-two"'];

  function fixture(topics: string[], edges: string[]): string {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, "klout_topic_ontology_20990101.csv"), `${topics.join("\n")}\n`);
    fs.writeFileSync(path.join(dir, "klout_topic_edge_20990101.csv"), `${edges.join("\r\n")}\r\n`);
    return dir;
  }

  it("lands nothing when too many lines are malformed, and says why", async () => {
    const dataDir = scratch();
    const r = await runCli(["--data-dir", dataDir, "topics", "import", "--klout", fixture(BAD_TOPICS, EDGES)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: 7 of 9 lines of "klout_topic_ontology_20990101\.csv" are malformed, more than the reject threshold 0\.05 \(line 4: topicId: not a decimal topic id;/);
    expect(r.stderr).toMatch(/hint: nothing was landed/);
    expect(fs.existsSync(kloutLakeDir(path.join(dataDir, "lake")))).toBe(false);
  });

  it("with a higher threshold lands the good lines and lists each reject with its reason", async () => {
    const dataDir = scratch();
    const r = await runCli(["--data-dir", dataDir, "topics", "import", "--klout", fixture(BAD_TOPICS, EDGES), "--reject-threshold", "1"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/topics\s+2 accepted\s+7 rejected/);
    expect(r.stdout).toMatch(/edges\s+2 accepted\s+1 rejected/);
    for (const line of [
      "rejected line 4: topicId: not a decimal topic id",
      "rejected line 5: topicSlug: empty slug",
      "rejected line 6: duplicate topicId 1 (first on line 2)",
      "rejected line 7: expected 5 fields, got 4",
      "rejected line 8: topicId: exceeds 64 bits",
      'rejected line 9: duplicate topicSlug "ok-two" (first on line 3)',
      "rejected line 10: wikiItemId: not a Wikidata item id (Q…)",
      "rejected line 4: duplicate edge 1 → 2 (first on line 3)",
    ]) {
      expect(r.stdout).toContain(line);
    }
    const wh = await memoryWarehouse();
    try {
      const rows = await wh.all("select topic_id, topic_slug, wiki_item_id, freebase_machine_id, source_file, source_line from read_parquet($1) order by source_line", [
        path.join(kloutLakeDir(path.join(dataDir, "lake")), "topics.parquet"),
      ]);
      expect(rows).toEqual([
        { topic_id: "1", topic_slug: "ok-one", wiki_item_id: "Q1", freebase_machine_id: "0m1", source_file: "klout_topic_ontology_20990101.csv", source_line: 2 },
        { topic_id: "2", topic_slug: "ok-two", wiki_item_id: null, freebase_machine_id: null, source_file: "klout_topic_ontology_20990101.csv", source_line: 3 },
      ]);
    } finally {
      wh.close();
    }
  });

  it("refuses a file without the expected columns, and a folder without Klout's files", async () => {
    const dataDir = scratch();
    const noColumn = await runCli(["--data-dir", dataDir, "topics", "import", "--klout", fixture(BAD_TOPICS, ['"parentTopicId","childTopicId"', "1,2"])]);
    expect(noColumn.code).toBe(1);
    expect(noColumn.stderr).toMatch(/^error: "klout_topic_edge_20990101\.csv" has no column "parrentTopicSlug", "childTopicSlug"/);
    const empty = await runCli(["--data-dir", dataDir, "topics", "import", "--klout", scratch()]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^error: no pair of klout_topic_ontology_<date>\.csv and klout_topic_edge_<date>\.csv in /);
    const missing = await runCli(["--data-dir", dataDir, "topics", "import", "--klout", path.join(dataDir, "nope")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: --klout ".*nope" is not a directory/);
  });
});
