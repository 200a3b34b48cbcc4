import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { memoryWarehouse, modelSql } from "../helpers/warehouse.ts";

// Logic tests of int_interactions_unioned on a hand-made upstream: every staging model it reads is an
// empty table but the ones a case fills, and the model's SQL file runs as it is (int_content_interactions, from the
// hand-made content, by its own SQL file).

const FILE = "sql/intermediate/core/int_interactions_unioned.sql";
const SQL = modelSql(FILE);
const STAGING = [...new Set([...SQL.matchAll(/from staging\.(\w+)/g)].map((m) => m[1]!))];
const INTERACTION_COLUMNS =
  "network varchar, interaction_id varchar, actor_account_id varchar, target_account_id varchar, target_content_id varchar, action varchar, reaction_type varchar, occurred_at timestamptz";

type Interaction = [network: string, id: string, actor: string, target: string, content: string | null, action: string];
type Content = { id: string; account: string; type: string; mentions: string[]; parent?: [content: string, account: string] };

async function upstream(wh: Warehouse, staged: Record<string, Interaction[]>, content: Content[]): Promise<void> {
  for (const name of STAGING) {
    await wh.run(`create or replace table staging.${name} (${INTERACTION_COLUMNS})`);
    for (const [network, id, actor, target, contentId, action] of staged[name] ?? []) {
      await wh.run(`insert into staging.${name} values ($1, $2, $3, $4, $5, $6, null, timestamptz '2026-11-24 12:00:00+00')`, [network, id, actor, target, contentId, action]);
    }
  }
  await wh.run(`create or replace table intermediate.int_content_unioned (network varchar, content_id varchar, account_id varchar, created_at timestamptz,
    content_type varchar, parent_content_id varchar, parent_account_id varchar, mentioned_account_ids varchar[])`);
  for (const c of content) {
    await wh.run("insert into intermediate.int_content_unioned values ('twitter', $1, $2, timestamptz '2026-11-24 13:00:00+00', $3, $4, $5, $6::json::varchar[])", [
      c.id,
      c.account,
      c.type,
      c.parent?.[0] ?? null,
      c.parent?.[1] ?? null,
      JSON.stringify(c.mentions),
    ]);
  }  // the actions content carries, as their own model computes them
  await wh.run(`create or replace table intermediate.int_content_interactions as ${modelSql("sql/intermediate/core/int_content_interactions.sql")}`);
}

describe("int_interactions_unioned", () => {
  let wh: Warehouse;
  beforeEach(async () => {
    wh = await memoryWarehouse();
  });
  afterEach(() => wh.close());

  it("reads the staging models it names", () => {
    expect(STAGING).toContain("stg_twitter__likes");
    expect(STAGING).toContain("stg_generic__interactions");
    expect(STAGING.length).toBeGreaterThanOrEqual(17);
  });

  it("keeps one mention per mentioned account, the reply's own @author out, and two origins' same id as two actions", async () => {
    await upstream(
      wh,
      {
        stg_twitter__likes: [["twitter", "like:1:50", "1", "5", "50", "reaction"]],
        // the Higgs file lands through the generic adapter under network twitter; its own id collides
        stg_generic__interactions: [["twitter", "like:1:50", "1", "5", "50", "reaction"]],
      },
      [
        { id: "60", account: "2", type: "post", mentions: ["3", "4", "3"] },
        { id: "61", account: "3", type: "reply", mentions: ["2", "4"], parent: ["60", "2"] },
        { id: "62", account: "4", type: "post", mentions: ["4"] },
      ],
    );
    const rows = await wh.all(`select origin, interaction_id, actor_account_id as actor, target_account_id as target, action from (${SQL}) order by all`);
    expect(rows).toEqual([
      { origin: "content", interaction_id: "content:61", actor: "3", target: "2", action: "reply" },
      { origin: "mention", interaction_id: "mention:60:3", actor: "2", target: "3", action: "mention" },
      { origin: "mention", interaction_id: "mention:60:4", actor: "2", target: "4", action: "mention" },
      { origin: "mention", interaction_id: "mention:61:4", actor: "3", target: "4", action: "mention" },
      { origin: "stg_generic__interactions", interaction_id: "like:1:50", actor: "1", target: "5", action: "reaction" },
      { origin: "stg_twitter__likes", interaction_id: "like:1:50", actor: "1", target: "5", action: "reaction" },
    ]);
  });
});

describe("int_window_days", () => {
  it("is the window_days days ending on the run date, with UTC day numbers: an instant is in the window exactly when its UTC day is", async () => {
    const wh = await memoryWarehouse();
    try {
      await wh.run("set variable run_date = date '2026-11-24'");
      await wh.run("create or replace view intermediate.int_model_parameters as select 90 as window_days");
      await wh.run(`create table intermediate.int_window_days as ${modelSql("sql/intermediate/scoring/int_window_days.sql")}`);
      const span = await wh.one("select count(*)::int as n, min(day)::varchar as first, max(day)::varchar as last from intermediate.int_window_days");
      expect(span).toEqual({ n: 90, first: "2026-08-27", last: "2026-11-24" });
      const days = await wh.all("select day::varchar as day, epoch_day::int as epoch_day from intermediate.int_window_days where day in ('2026-08-27', '2026-11-24') order by day");
      expect(days).toEqual([
        { day: "2026-08-27", epoch_day: Date.UTC(2026, 7, 27) / 86_400_000 },
        { day: "2026-11-24", epoch_day: Date.UTC(2026, 10, 24) / 86_400_000 },
      ]);
      const inWindow = await wh.all(
        `select t::varchar as t, floor(epoch(t) / 86400) in (select epoch_day from intermediate.int_window_days) as kept
         from unnest([timestamptz '2026-08-26 23:59:59.999+00', timestamptz '2026-08-27 00:00:00+00',
                      timestamptz '2026-11-24 23:59:59.999+00', timestamptz '2026-11-25 00:00:00+00']) as u(t)`,
      );
      expect(inWindow.map((r) => r.kept)).toEqual([false, true, true, false]);
    } finally {
      wh.close();
    }
  });
});
