import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { memoryWarehouse, modelSql } from "../helpers/warehouse.ts";

// Logic tests of int_account_behaviour on a hand-made window: the model's SQL file runs as it is over a small
// int_engagements_windowed, grouped into int_engagement_pairs by that model's own SQL, and a parameters table. The
// counts below are worked out by hand from the actions.

const SQL = modelSql("sql/intermediate/scoring/int_account_behaviour.sql");
const PAIRS = modelSql("sql/intermediate/scoring/int_engagement_pairs.sql");

async function upstream(wh: Warehouse): Promise<void> {
  await wh.run(`
    create table intermediate.int_model_parameters as select
      30.0 as half_life_days, timestamptz '2020-01-01 00:00:00+00' as decay_reference_at, 100 as busy_reactor_threshold, 5 as bot_ring_min_people, 5.0 as bot_ring_min_repeat, 50 as bot_spray_min_people,
      2 as bot_follow_farm_follows;
    create table intermediate.int_engagements_windowed (network varchar, actor_account_id varchar, actor_person_id varchar,
      target_account_id varchar, target_person_id varchar, action varchar, action_weight double,
      occurred_at timestamptz default timestamptz '2026-11-20 12:00:00+00');
    insert into intermediate.int_engagements_windowed by name select * from (values
      -- a1 (person A): three likes and a reply to b1 (person B), a like to c1, a follow of d1 and a view of e1 (no weight)
      ('twitter', 'a1', 'A', 'b1', 'B', 'like', 1.0),
      ('twitter', 'a1', 'A', 'b1', 'B', 'like', 1.0),
      ('twitter', 'a1', 'A', 'b1', 'B', 'like', 1.0),
      ('twitter', 'a1', 'A', 'b1', 'B', 'reply', 2.0),
      ('twitter', 'a1', 'A', 'c1', 'C', 'like', 1.0),
      ('twitter', 'a1', 'A', 'd1', 'D', 'follow', 0.0),
      ('twitter', 'a1', 'A', 'e1', 'E', 'view', 0.0),
      -- person B back to a1 from two accounts
      ('twitter', 'b1', 'B', 'a1', 'A', 'like', 1.0),
      ('twitter', 'b1', 'B', 'a1', 'A', 'like', 1.0),
      ('twitter', 'b2', 'B', 'a1', 'A', 'like', 1.0),
      -- c1 only follows a1
      ('twitter', 'c1', 'C', 'a1', 'A', 'follow', 0.0),
      -- f1 follows three accounts and never engages
      ('twitter', 'f1', 'F', 'g1', 'G', 'follow', 0.0),
      ('twitter', 'f1', 'F', 'h1', 'H', 'follow', 0.0),
      ('twitter', 'f1', 'F', 'i1', 'I', 'subscribe', 0.0),
      -- the same account ids on another network are other accounts
      ('mastodon', 'a1', 'A', 'b1', 'B', 'like', 1.0))
      as t(network, actor_account_id, actor_person_id, target_account_id, target_person_id, action, action_weight);
  `);
  await wh.run(`create table intermediate.int_engagement_pairs as ${PAIRS}`);
}

describe("int_account_behaviour", () => {
  let wh: Warehouse;
  beforeEach(async () => {
    wh = await memoryWarehouse();
    await upstream(wh);
  });
  afterEach(() => wh.close());

  it("counts actions and distinct people given and received, weighted only, and people engaged both ways", async () => {
    const rows = await wh.all(`select network, account_id, given_count, given_people, follows_given, received_count, received_people,
      reciprocal_people from (${SQL}) order by network, account_id`);
    const row = (network: string, account_id: string, g: number, gp: number, fg: number, r: number, rp: number, x: number) => ({
      network,
      account_id,
      given_count: g,
      given_people: gp,
      follows_given: fg,
      received_count: r,
      received_people: rp,
      reciprocal_people: x,
    });
    expect(rows).toEqual([
      row("mastodon", "a1", 1, 1, 0, 0, 0, 0),
      row("mastodon", "b1", 0, 0, 0, 1, 1, 0),
      // 5 weighted actions to B and C; D's follow and E's view have no weight; B engages A back (from b1 and b2)
      row("twitter", "a1", 5, 2, 1, 3, 1, 1),
      // 2 likes to A; 4 weighted actions from A; A engages person B, so the pair is reciprocal
      row("twitter", "b1", 2, 1, 0, 4, 1, 1),
      // by person: A engages B (through b1), and b2 is B's
      row("twitter", "b2", 1, 1, 0, 0, 0, 1),
      // a follow (no weight) given, a like received
      row("twitter", "c1", 0, 0, 1, 1, 1, 0),
      row("twitter", "d1", 0, 0, 0, 0, 0, 0),
      row("twitter", "e1", 0, 0, 0, 0, 0, 0),
      row("twitter", "f1", 0, 0, 3, 0, 0, 0),
      row("twitter", "g1", 0, 0, 0, 0, 0, 0),
      row("twitter", "h1", 0, 0, 0, 0, 0, 0),
      row("twitter", "i1", 0, 0, 0, 0, 0, 0),
    ]);
  });

  it("scores the follow farm and the closed audience from those counts", async () => {
    const rows = await wh.all(`select account_id, closed_audience_share, bot_follow_farm, bot_likelihood from (${SQL})
      where network = 'twitter' and account_id in ('a1', 'c1', 'f1') order by account_id`);
    expect(rows).toEqual([
      // one engager (B), who is engaged back: closed audience 1; ring scaled by 1 of 5 people and a repeat of 5/2 of 5
      { account_id: "a1", closed_audience_share: 1, bot_follow_farm: 0, bot_likelihood: 1 * (1 / 5) * (2.5 / 5) },
      // one follow given, nothing engaged: half of the 2 follows that make a farm
      { account_id: "c1", closed_audience_share: 0, bot_follow_farm: 0.5, bot_likelihood: 0.5 },
      { account_id: "f1", closed_audience_share: 0, bot_follow_farm: 1, bot_likelihood: 1 },
    ]);
  });
});
