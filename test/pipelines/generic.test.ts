import fs from "node:fs";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_MAPPING,
  genericSpec,
  loadGenericConfig,
  parseGenericFlags,
  type GenericMapping,
} from "../../pipelines/networks/generic.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { UserError } from "../../src/lib/errors.ts";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { compileTests, runTests, selectTests } from "../../src/runner/datatests.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { loadProject } from "../../src/runner/project.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { buildModels, loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/generic/${name}`, import.meta.url));
const SHARED = fileURLToPath(new URL("../../../shared/data/", import.meta.url));
const HIGGS = `${SHARED}higgs/higgs-activity_time.txt.gz`;
const KLOUT = (n: "tw" | "fb") => `${SHARED}klout-opendata/user_timestamp_open_set_${n}.tsv`;
const HAS_DATA = fs.existsSync(HIGGS) && fs.existsSync(KLOUT("tw")) && fs.existsSync(KLOUT("fb"));
if (!HAS_DATA) console.warn(`generic.test.ts: ${SHARED} is absent — skipping the tests on the real Higgs and Klout files`);

const HIGGS_FLAGS = [
  "--delimiter", " ", "--no-header",
  "--columns", "actor_id=1,target_id=2,occurred_at=3,action=4",
  "--actions", "RT=repost,MT=mention,RE=reply",
  "--network", "twitter", "--time", "epoch_s",
];
const KLOUT_FLAGS = [
  "--delimiter", "tab",
  "--columns", "target_id=user_id_fingerprint,actor_id=actor_id_fingerprint,content_id=post_id_fingerprint,occurred_at=action_timestamp",
  "--action", "reaction", "--network", "facebook", "--time", "epoch_ms",
];

/** What the ingest engine hands the schema for a header-less line: cells keyed "1", "2", … */
const positional = (line: string, delimiter: string) => Object.fromEntries(line.split(delimiter).map((v, i) => [String(i + 1), v]));
/** … and for a file with a header: cells keyed by header name. */
const keyed = (header: string[], line: string, delimiter: string) => Object.fromEntries(line.split(delimiter).map((v, i) => [header[i]!, v]));

function higgsLines(n?: number): string[] {
  const lines = zlib.gunzipSync(fs.readFileSync(HIGGS)).toString("utf8").split("\n").filter(Boolean);
  return n === undefined ? lines : lines.slice(0, n);
}
function kloutLines(which: "tw" | "fb"): { header: string[]; lines: string[] } {
  const [head, ...lines] = fs.readFileSync(KLOUT(which), "utf8").split("\n").filter(Boolean);
  return { header: head!.split("\t"), lines };
}

function expectUserError(fn: () => unknown, ...parts: string[]): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    for (const p of parts) expect((err as UserError).message).toContain(p);
    expect((err as UserError).hint).toBeTruthy();
    return;
  }
  throw new Error("expected a UserError");
}

describe("generic mapping from flags and JSON", () => {
  it("reads the Higgs flags into a mapping", () => {
    const m = parseGenericFlags(HIGGS_FLAGS);
    expect(m).toEqual({
      format: "csv",
      delimiter: " ",
      header: false,
      columns: { actor_id: 1, target_id: 2, occurred_at: 3, action: 4 },
      actions: { RT: "repost", MT: "mention", RE: "reply" },
      network: "twitter",
      time: "epoch_s",
    });
  });

  it("takes commander-style options (--no-header → header: false) and `--flag=value` alike", () => {
    const fromObject = parseGenericFlags({
      delimiter: " ",
      header: false,
      columns: "actor_id=1,target_id=2,occurred_at=3,action=4",
      actions: "RT=repost,MT=mention,RE=reply",
      network: "twitter",
      time: "epoch_s",
    });
    expect(fromObject).toEqual(parseGenericFlags(HIGGS_FLAGS));
    expect(parseGenericFlags(["--delimiter=tab", "--network=x", "--time=iso"]).delimiter).toBe("\t");
  });

  it("reads the Klout flags: a constant action, named columns, tab", () => {
    const m = parseGenericFlags(KLOUT_FLAGS);
    expect(m.delimiter).toBe("\t");
    expect(m.header).toBe(true);
    expect(m.action).toBe("reaction");
    expect(m.actions).toBeUndefined();
    expect(m.columns?.content_id).toBe("post_id_fingerprint");
  });

  it("defaults to the canonical format: header names = field names, canonical actions, ISO times", () => {
    expect(parseGenericFlags([])).toEqual(DEFAULT_MAPPING);
    expect(DEFAULT_MAPPING).toMatchObject({ format: "csv", header: true, time: "iso" });
    expect(DEFAULT_MAPPING.delimiter).toBeUndefined(); // the engine picks , or tab by extension
    // a constant network drops the default network column instead of conflicting with it
    expect(() => parseGenericFlags(["--network", "higgs"])).not.toThrow();
  });

  it("reads the same mappings from JSON files", () => {
    expect(loadGenericConfig(fixture("higgs.mapping.json"))).toEqual(parseGenericFlags(HIGGS_FLAGS));
    expect(loadGenericConfig(fixture("klout.mapping.json"))).toEqual(parseGenericFlags(KLOUT_FLAGS));
  });

  it("rejects bad flags with a UserError quoting the bad value", () => {
    expectUserError(() => parseGenericFlags(["--columns", "actor=1"]), '"actor"');
    expectUserError(() => parseGenericFlags(["--columns", "actor_id"]), '"actor_id"', "KEY=VALUE");
    expectUserError(() => parseGenericFlags([...HIGGS_FLAGS, "--actions", "RT=retweet"]), '"RT"', '"retweet"');
    expectUserError(() => parseGenericFlags(["--time", "epoch", "--network", "x"]), '"epoch"');
    expectUserError(() => parseGenericFlags(["--delimiter", "ab", "--network", "x"]), '"ab"');
    expectUserError(() => parseGenericFlags(["--network", "My Net"]), '"My Net"');
    expectUserError(() => parseGenericFlags(["--bogus", "1"]), '"--bogus"');
    expectUserError(() => parseGenericFlags(["--network"]), '"--network"');
  });

  it("refuses mappings that would read the wrong cells", () => {
    // names without a header, positions with one
    expectUserError(() => parseGenericFlags(["--no-header", "--columns", "actor_id=userA,target_id=2,occurred_at=3", "--action", "reply", "--network", "x"]), '"actor_id=userA"', "1-based position");
    expectUserError(() => parseGenericFlags(["--columns", "actor_id=1,target_id=b,occurred_at=c", "--action", "reply", "--network", "x"]), '"actor_id=1"', "name the column");
    // required columns, network and action each given once
    expectUserError(() => parseGenericFlags(["--columns", "actor_id=a,occurred_at=c", "--action", "reply", "--network", "x"]), "target_id");
    expectUserError(() => parseGenericFlags(["--columns", "actor_id=a,target_id=b,occurred_at=c,action=d"]), "no network");
    expectUserError(() => parseGenericFlags(["--columns", "actor_id=a,target_id=b,occurred_at=c,network=n"]), "no action");
    expectUserError(() => parseGenericFlags(["--columns", "actor_id=a,target_id=b,occurred_at=c,network=n", "--network", "x", "--action", "reply"]), "not both");
    expectUserError(() => parseGenericFlags([...KLOUT_FLAGS, "--actions", "L=reaction"]), "constant action");
  });

  it("rejects bad JSON mapping files", () => {
    expectUserError(() => loadGenericConfig(fixture("bad-action.mapping.json")), "bad-action.mapping.json", "actions.RT", '"retweet"');
    expectUserError(() => loadGenericConfig(fixture("not-json.mapping.json")), "cannot parse", "not-json.mapping.json");
    expectUserError(() => loadGenericConfig(fixture("missing.json")), "cannot read", "missing.json");
  });
});

describe("generic schema", () => {
  const higgs = genericSpec(parseGenericFlags(HIGGS_FLAGS));
  const klout = genericSpec(parseGenericFlags(KLOUT_FLAGS));
  const col = (name: string) => higgs.columns.findIndex((c) => c.name === name);

  it("lands a Higgs-shaped row in canonical columns, keeping the source action", () => {
    const v = validateRecord(higgs, positional("223789 213163 1341100972 MT", " "));
    expect(v).toEqual({ ok: true, row: ["twitter", null, "223789", "213163", "mention", "MT", 1341100972000, null, null, []] });
    expect(higgs.columns.map((c) => c.name)).toEqual(["network", "interaction_id", "actor_id", "target_id", "action", "source_action", "occurred_at", "content_id", "text", "hashtags"]);
    expect(higgs.columns[col("occurred_at")]!.type).toBe("TIMESTAMPTZ");
  });

  it("rejects unknown action values, naming them, and bad times", () => {
    const bad = (line: string) => validateRecord(higgs, positional(line, " "));
    expect(bad("1 2 1341100972 LK")).toEqual({ ok: false, reason: expect.stringContaining('unknown action "LK"') });
    expect(bad("1 2 1341100972 repost")).toEqual({ ok: false, reason: expect.stringContaining('"repost"') }); // only mapped values
    expect(bad("1 2 yesterday RT")).toEqual({ ok: false, reason: expect.stringContaining('occurred_at: epoch seconds "yesterday" is not a number') });
    expect(bad("1 2 9341100972 RT")).toEqual({ ok: false, reason: expect.stringContaining("outside 2000–2099") });
    expect(bad("1  1341100972 RT")).toEqual({ ok: false, reason: "target_id: missing" });
    expect(bad("1 2 1341100972")).toEqual({ ok: false, reason: "action: missing" });
  });

  it("lands a Klout-shaped row whether or not the engine keeps the # of the header", () => {
    const cells = ["-3484984757207668258", "1075967004643675493", "-4552912208051205608", "1413331199002", "1413331280999", "Venezuela Time"];
    const names = ["user_id_fingerprint", "actor_id_fingerprint", "post_id_fingerprint", "post_timestamp", "action_timestamp", "user_timezone"];
    const expected = ["facebook", null, "1075967004643675493", "-3484984757207668258", "reaction", null, 1413331280999, "-4552912208051205608", null, []];
    for (const header of [names.map((n) => `#${n}`), names]) {
      expect(validateRecord(klout, keyed(header, cells.join("\t"), "\t"))).toEqual({ ok: true, row: expected });
    }
  });

  it("reads canonical rows (CSV strings or JSON values), posts, network columns, huge ids, extra fields", () => {
    const native = genericSpec(DEFAULT_MAPPING);
    const ok = (r: Record<string, unknown>) => validateRecord(native, r);
    expect(
      ok({ network: "Mastodon", actor_id: "18446744073709551616", target_id: "7", action: "reply", occurred_at: "2026-11-24T10:00:00+0000", content_id: "", text: "hi #Clout", extra: "x" }),
    ).toEqual({ ok: true, row: ["mastodon", null, "18446744073709551616", "7", "reply", "reply", Date.UTC(2026, 10, 24, 10), null, "hi #Clout", ["clout"]] });
    const jsonl = genericSpec(parseGenericFlags(["--format", "jsonl", "--time", "epoch_ms"]));
    expect(validateRecord(jsonl, { network: "x", actor_id: 12, target_id: 13, action: "follow", occurred_at: 1795000000000, interaction_id: "f-1" })).toEqual({
      ok: true,
      row: ["x", "f-1", "12", "13", "follow", "follow", 1795000000000, null, null, []],
    });
    // a post needs its own id, not a target
    expect(ok({ network: "x", actor_id: "1", action: "post", occurred_at: "2026-11-24T10:00:00Z", content_id: "p1", text: "t" })).toMatchObject({ ok: true });
    expect(ok({ network: "x", actor_id: "1", action: "post", occurred_at: "2026-11-24T10:00:00Z" })).toEqual({ ok: false, reason: "content_id: a post needs a content_id" });
    expect(ok({ network: "my net", actor_id: "1", target_id: "2", action: "follow", occurred_at: "2026-11-24" })).toEqual({ ok: false, reason: expect.stringContaining('network "my net"') });
    expect(ok({ network: "x", actor_id: "1", target_id: "2", action: "follow", occurred_at: "2026-02-30T10:00:00Z" })).toEqual({ ok: false, reason: expect.stringContaining("not a real date") });
    expect(ok({ network: "x", actor_id: "1", target_id: "2", action: "like", occurred_at: "2026-11-24T10:00:00Z" })).toEqual({ ok: false, reason: expect.stringContaining('unknown action "like"') });
    expect(ok({ network: "x", target_id: "2", action: "follow", occurred_at: "2026-11-24T10:00:00Z" })).toEqual({ ok: false, reason: "actor_id: missing" });
  });

  describe.skipIf(!HAS_DATA)("on the real files in ../shared/data", () => {
    it("Higgs: the first lines land with their ids, action and time", () => {
      for (const line of higgsLines(200)) {
        const [a, b, ts, type] = line.split(" ");
        const v = validateRecord(higgs, positional(line, " "));
        expect(v).toEqual({ ok: true, row: ["twitter", null, a, b, { RT: "repost", MT: "mention", RE: "reply" }[type!], type, Number(ts) * 1000, null, null, []] });
      }
    });

    it("Higgs: every one of the 563,069 lines passes the schema", () => {
      const counts: Record<string, number> = {};
      let rejected = 0;
      for (const line of higgsLines()) {
        const v = validateRecord(higgs, positional(line, " "));
        if (v.ok) counts[v.row[4] as string] = (counts[v.row[4] as string] ?? 0) + 1;
        else rejected++;
      }
      expect(rejected).toBe(0);
      expect(counts).toEqual({ repost: 354930, mention: 171237, reply: 36902 });
    });

    it("Klout tw/fb: every row lands, ids kept exact as strings (negative 64-bit)", () => {
      for (const which of ["tw", "fb"] as const) {
        const { header, lines } = kloutLines(which);
        expect(header[0]).toBe("#user_id_fingerprint");
        expect(lines).toHaveLength(1000);
        for (const line of lines) {
          const cells = line.split("\t");
          const v = validateRecord(klout, keyed(header, line, "\t"));
          expect(v).toEqual({ ok: true, row: ["facebook", null, cells[1], cells[0], "reaction", null, Number(cells[4]), cells[2], null, []] });
        }
        expect(lines.some((l) => l.startsWith("-"))).toBe(true);
      }
    });
  });
});

describe("generic staging", () => {
  let wh: Warehouse;
  beforeEach(async () => {
    wh = await memoryWarehouse();
  });
  afterEach(() => wh.close());

  const rows = (sql: string) => wh.all(sql);

  it("maps actions, builds stable ids, removes duplicates, splits posts into content, passes its tests", async () => {
    const higgs = genericSpec(parseGenericFlags(HIGGS_FLAGS));
    const h = (l: string) => positional(l, " ");
    // Higgs' first two lines: the same pair, same second, two actions → two interactions
    const day1 = ["223789 213163 1341100972 MT", "223789 213163 1341100972 RE", "376989 50329 1341101181 RT"].map(h);
    expect((await loadRaw(wh, higgs, day1, { dt: "2026-11-23" })).rejects).toEqual([]);
    // the RT delivered again the next day (a duplicate), plus a new one and a reject
    const day2 = ["0 0 0 XX", "376989 50329 1341101181 RT", "26375 168366 1341101183 MT"].map(h);
    const second = await loadRaw(wh, higgs, day2, { dt: "2026-11-24" });
    expect(second.accepted).toBe(2);
    expect(second.rejects).toHaveLength(1);

    const likes = genericSpec(parseGenericFlags(["--network", "forum", "--actions", "LIKE=reaction,POST=post,FOLLOW=follow", "--time", "epoch_ms"]));
    const forum = [
      { actor_id: "u1", action: "POST", occurred_at: "1795000000000", content_id: "c1", text: "Hello #Higgs #boson" },
      { actor_id: "u2", target_id: "u1", action: "LIKE", occurred_at: "1795000001000", content_id: "c1" },
      { actor_id: "u2", target_id: "u1", action: "FOLLOW", occurred_at: "1795000002000", interaction_id: "f-9" },
    ];
    expect((await loadRaw(wh, likes, forum)).rejects).toEqual([]);

    await buildModels(wh, "stg_generic__interactions stg_generic__content");

    const interactions = await rows(
      `select network, actor_account_id, target_account_id, target_content_id, action, reaction_type, source_action,
              epoch_ms(occurred_at) as occurred_ms, interaction_id
       from staging.stg_generic__interactions order by network, occurred_ms, action`,
    );
    expect(interactions.map(({ interaction_id: _, ...r }) => r)).toEqual([
      { network: "forum", actor_account_id: "u2", target_account_id: "u1", target_content_id: "c1", action: "reaction", reaction_type: "like", source_action: "LIKE", occurred_ms: 1795000001000 },
      { network: "forum", actor_account_id: "u2", target_account_id: "u1", target_content_id: null, action: "follow", reaction_type: null, source_action: "FOLLOW", occurred_ms: 1795000002000 },
      { network: "twitter", actor_account_id: "223789", target_account_id: "213163", target_content_id: null, action: "mention", reaction_type: null, source_action: "MT", occurred_ms: 1341100972000 },
      { network: "twitter", actor_account_id: "223789", target_account_id: "213163", target_content_id: null, action: "reply", reaction_type: null, source_action: "RE", occurred_ms: 1341100972000 },
      { network: "twitter", actor_account_id: "376989", target_account_id: "50329", target_content_id: null, action: "repost", reaction_type: null, source_action: "RT", occurred_ms: 1341101181000 },
      { network: "twitter", actor_account_id: "26375", target_account_id: "168366", target_content_id: null, action: "mention", reaction_type: null, source_action: "MT", occurred_ms: 1341101183000 },
    ]);
    // the source's own id is kept; others are built from the row's parts (32 hex), distinct
    expect(interactions[1]!.interaction_id).toBe("f-9");
    const built = interactions.filter((r) => r.network === "twitter").map((r) => r.interaction_id as string);
    expect(new Set(built).size).toBe(4);
    for (const id of built) expect(id).toMatch(/^[0-9a-f]{32}$/);

    expect(
      await rows(`select network, content_id, account_id, epoch_ms(created_at) as created_ms, content_type, text, hashtags, parent_content_id from staging.stg_generic__content`),
    ).toEqual([{ network: "forum", content_id: "c1", account_id: "u1", created_ms: 1795000000000, content_type: "post", text: "Hello #Higgs #boson", hashtags: ["higgs", "boson"], parent_content_id: null }]);

    // the canonical columns come first, in order (sql/staging/README.md)
    const cols = (t: string) => rows(`select column_name from information_schema.columns where table_schema = 'staging' and table_name = '${t}' order by ordinal_position`);
    expect((await cols("stg_generic__interactions")).slice(0, 8).map((r) => r.column_name)).toEqual([
      "network", "interaction_id", "actor_account_id", "target_account_id", "target_content_id", "action", "reaction_type", "occurred_at",
    ]);
    expect((await cols("stg_generic__content")).slice(0, 11).map((r) => r.column_name)).toEqual([
      "network", "content_id", "account_id", "created_at", "content_type", "text", "hashtags", "mentioned_account_ids", "parent_content_id", "parent_account_id", "topic_hints",
    ]);

    const graph = await buildGraph(loadProject(INSTALL_DIR), wh);
    const tests = selectTests(compileTests(graph), ["stg_generic__interactions", "stg_generic__content"]);
    expect(tests.length).toBeGreaterThanOrEqual(10);
    const results = await runTests(wh, tests, { runId: "generic-test" });
    expect(results.filter((r) => r.status !== "pass").map((r) => `${r.name}: ${r.status} ${r.message ?? ""}`)).toEqual([]);
  });

  it("an identical row delivered on two dates is one interaction, from the latest date", async () => {
    const native = genericSpec(DEFAULT_MAPPING);
    const row = { network: "x", actor_id: "a", target_id: "b", action: "mention", occurred_at: "2026-11-20T08:00:00Z", text: "first" };
    await loadRaw(wh, native, [row], { dt: "2026-11-21" });
    await loadRaw(wh, native, [{ ...row, text: "again" }], { dt: "2026-11-22" });
    await buildModels(wh, "stg_generic__interactions");
    expect(await rows("select text from staging.stg_generic__interactions")).toEqual([{ text: "again" }]);
  });

  it("keeps the mapping on the spec for the engine to split lines with", () => {
    const spec = genericSpec(parseGenericFlags(HIGGS_FLAGS) satisfies GenericMapping);
    expect(spec).toMatchObject({ network: "generic", entity: "interactions", format: "csv", mapping: { delimiter: " ", header: false } });
  });
});
