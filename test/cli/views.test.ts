import { beforeAll, describe, expect, it } from "vitest";
import { openPublished } from "../../src/cli/commands/sql.ts";
import type { Context } from "../../src/cli/context.ts";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/warehouse.ts";
import { sharedWorld, WORLD } from "../eval/shared-world.ts";

/** `clout score` and `clout top` through the real binary, over the published files of one small world. */
describe("terminal views: clout score and clout top", () => {
  let ctx: Context;
  let cli: (...args: string[]) => ReturnType<typeof runCli>;
  // people and values picked from the published files, so the tests do not depend on the generator's draws
  let leader: { person_id: string; display_name: string; score: number };
  let handle: { handle: string; person_id: string };
  let twins: { name: string; ids: string[] };
  let network: string;
  let topic: { slug: string; topic_id: string; display_name: string; person_id: string };

  beforeAll(async () => {
    ctx = await sharedWorld();
    cli = (...args: string[]) => runCli(["--data-dir", ctx.layout.root, ...args]);
    const { wh } = await openPublished(ctx);
    try {
      leader = (await wh.one<typeof leader>(
        `select s.person_id, p.display_name, s.score from fct_person_scores as s join dim_people as p using (person_id)
         where s.score_date = (select max(score_date) from fct_person_scores) order by s.score desc, s.person_id limit 1`,
      ))!;
      handle = (await wh.one<typeof handle>(
        `with h as (select lower(handle) as h, count(distinct person_id) as n, any_value(person_id) as person_id, any_value(handle) as handle
                    from dim_accounts where handle is not null group by 1)
         select h.handle, h.person_id from h
         join fct_account_scores as a on a.person_id = h.person_id and a.score_date = (select max(score_date) from fct_account_scores)
         where h.n = 1 and not exists (select 1 from dim_people as p where lower(p.display_name) = h.h and p.person_id <> h.person_id)
         order by a.network_subscore desc, h.handle limit 1`,
      ))!;
      twins = (await wh.one<typeof twins>(
        `select any_value(display_name) as name, list(person_id order by person_id) as ids from dim_people
         group by lower(display_name) having count(*) >= 2 order by lower(display_name) limit 1`,
      ))!;
      network = (await wh.one<{ network: string }>("select network from fct_account_scores group by 1 order by count(*) desc, 1 limit 1"))!.network;
      topic = (await wh.one<typeof topic>(
        `select t.slug, t.topic_id::varchar as topic_id, t.display_name, arg_min(f.person_id, f.topic_rank) as person_id
         from fct_topic_affinity as f join dim_topics as t using (topic_id)
         where f.score_date = (select max(score_date) from fct_topic_affinity)
         group by all order by count(*) desc, t.slug limit 1`,
      ))!;
    } finally {
      wh.close();
    }
    expect(twins?.ids.length).toBeGreaterThanOrEqual(2);
  }, 240_000);

  it("score <person_id> prints the score card", async () => {
    const r = await cli("score", leader.person_id);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out.split("\n")[0]).toBe(`${leader.display_name}  (${leader.person_id})`);
    expect(out).toMatch(new RegExp(`^Clout Score ${leader.score.toFixed(1).replace(".", "\\.")}   [+−±]\\d+\\.\\d since the day before$`, "m"));
    expect(out).toMatch(/^rank 1 of [\d,]+ · percentile [\d.]+/m);
    expect(out).toMatch(new RegExp(`^score date ${WORLD.end} · model \\S+ · calibration (provisional|frozen)`, "m"));
    for (const section of ["why it changed", "components", "networks (subscore", "top topics", "top moments"]) expect(out).toContain(`\n${section}`);
    expect(out).toMatch(/^  true reach\s+[\d.]+   people who actually act/m);
    expect(out).toMatch(/^  amplification\s+[\d.]+   /m);
    expect(out).toMatch(/^  network score\s+[\d.]+   /m);
    expect(out).toMatch(/^ {4}[+−±]\d+\.\d {2}\S+ (true reach|amplification|network score)$/m);
  });

  it("score @handle and score by handle in another case find the same person", async () => {
    for (const q of [`@${handle.handle}`, handle.handle.toUpperCase()]) {
      const r = await cli("score", q);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout.split("\n")[0]).toMatch(new RegExp(`\\(${handle.person_id.replace(/[.:]/g, "\\$&")}\\)$`));
      expect(r.stdout).toContain(`@${handle.handle}`);
    }
  });

  it("a name several people share lists them and exits 1 with a hint", async () => {
    const r = await cli("score", twins.name.toLowerCase());
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^person_id\s+name\s+networks\s+handles\s+score$/m);
    for (const id of twins.ids) expect(r.stdout).toContain(id);
    expect(r.stderr).toBe(`error: ${JSON.stringify(twins.name.toLowerCase())} matches ${twins.ids.length} people\nhint: give one of their person ids, e.g. \`clout score ${r.stdout.split("\n")[2]!.split(/\s+/)[0]}\`\n`);
  });

  it("an unknown person is an error with the value quoted and a hint", async () => {
    const r = await cli("score", "nobody-like-this");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: no person matches "nobody-like-this"\nhint: .*person id.*handle.*\n$/);
    // a near miss suggests the real name
    const near = await cli("score", leader.display_name.slice(0, -1));
    expect(near.code).toBe(1);
    expect(near.stderr).toContain(JSON.stringify(leader.display_name));
  });

  it("top: the overall leaderboard by score", async () => {
    const r = await cli("top", "--limit", "5");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`top 5 by Clout Score, ${WORLD.end}`);
    expect(lines[1]).toMatch(/^rank\s+person_id\s+name\s+score\s+change\s+networks\s+percentile$/);
    expect(lines).toHaveLength(2 + 1 + 5);
    expect(lines[3]).toMatch(new RegExp(`^1\\s+${leader.person_id}\\s`));
  });

  it("top --network ranks by the network subscore; --topic by topic score (slug or id)", async () => {
    const n = await cli("top", "--network", network.toUpperCase(), "--limit", "3");
    expect(n.stderr).toBe("");
    expect(n.code).toBe(0);
    expect(n.stdout).toMatch(new RegExp(`^top 3 on ${network} by network subscore, ${WORLD.end}\\nrank\\s+person_id\\s+name\\s+handle\\s+subscore`));
    const t = await cli("top", "--topic", topic.slug, "--format", "json");
    expect(t.code).toBe(0);
    const rows = JSON.parse(t.stdout) as { rank: number; person_id: string; topic_score: number }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]!.rank).toBe(1);
    expect(rows.map((x) => x.topic_score)).toEqual([...rows.map((x) => x.topic_score)].sort((a, b) => b - a));
    const byId = await cli("top", "--topic", topic.topic_id, "--format", "json");
    expect(JSON.parse(byId.stdout)).toEqual(rows);
  });

  it("top --format csv writes a header and one line per person", async () => {
    const r = await cli("top", "--limit", "3", "--format", "csv");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("rank,person_id,name,score,change,networks,percentile");
    expect(lines).toHaveLength(4);
    expect(lines[1]!.startsWith(`1,${leader.person_id},`)).toBe(true);
  });

  it("top errors for people: unknown topic lists close slugs, unknown network, bad limit and date", async () => {
    const t = await cli("top", "--topic", topic.slug.slice(0, -1) + "x");
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(new RegExp(`^error: unknown topic "${topic.slug.slice(0, -1)}x"\\nhint: close slugs: .*${topic.slug}`));
    const n = await cli("top", "--network", "myspace");
    expect(n.code).toBe(1);
    expect(n.stderr).toMatch(new RegExp(`^error: no scores for network "myspace" on ${WORLD.end}\\nhint: the networks scored that day: .*${network}`));
    const l = await cli("top", "--limit", "0");
    expect(l.code).toBe(1);
    expect(l.stderr).toMatch(/^error: option '-l, --limit <k>' argument '0' is invalid/);
    const d = await cli("top", "--date", "2020-01-01");
    expect(d.code).toBe(1);
    expect(d.stderr).toBe(`error: no scores for --date "2020-01-01"\nhint: the published scores cover 2026-11-20..${WORLD.end}\n`);
    const both = await cli("top", "--topic", topic.slug, "--network", network);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/^error: give --topic or --network, not both\nhint: /);
  });

  it("nothing published yet is an error with a hint", async () => {
    const r = await runCli(["--data-dir", tempDir(), "score", "p0001"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: nothing published yet in ".*"\nhint: run `clout nightly`/);
  });
});
