import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { memoryWarehouse, modelSql } from "../helpers/warehouse.ts";

// int_engagement_pairs keeps each pair's decayed weight at a fixed reference time (2020-01-01 UTC) and
// int_engagement_pair_weights applies the run date's factor and the engager's discounts. Together they must give,
// per pair, the sum of int_engagements_weighted's weights over the pair's actions: the three models' SQL files run as
// they are over a hand-made window, and the expected weights are worked out by hand from the ages of the actions.

const PAIRS = modelSql("sql/intermediate/scoring/int_engagement_pairs.sql");
const PAIR_WEIGHTS = modelSql("sql/intermediate/scoring/int_engagement_pair_weights.sql");
const WEIGHTED = modelSql("sql/intermediate/scoring/int_engagements_weighted.sql");

async function upstream(wh: Warehouse, actions: string): Promise<void> {
  await wh.run(`
    create table intermediate.int_model_parameters as
      select 30.0 as half_life_days, timestamptz '2020-01-01 00:00:00+00' as decay_reference_at;
    -- the run date is 2026-11-24: the window's last day, so the weights are taken at 2026-11-25 00:00 UTC
    create table intermediate.int_window_days as
      select (date '2026-11-24' - to_days(n::integer))::date as day from range(90) as t(n);
    create table intermediate.int_account_behaviour (network varchar, account_id varchar, busy_discount double, bot_likelihood double);
    insert into intermediate.int_account_behaviour values
      ('twitter', 'a1', 1.0, 0.0), ('twitter', 'b1', 0.5, 0.2), ('twitter', 'c1', 1.0, 1.0), ('mastodon', 'a1', 1.0, 0.0);
    create table intermediate.int_engagements_windowed (network varchar, origin varchar, interaction_id varchar,
      actor_account_id varchar, actor_person_id varchar, target_account_id varchar, target_person_id varchar,
      target_content_id varchar, action varchar, occurred_at timestamptz, action_weight double);
    insert into intermediate.int_engagements_windowed values ${actions};
  `);
  await wh.run(`create table intermediate.int_engagement_pairs as ${PAIRS}`);
  await wh.run(`create view intermediate.int_engagement_pair_weights as ${PAIR_WEIGHTS}`);
  await wh.run(`create view intermediate.int_engagements_weighted as ${WEIGHTED}`);
}

const ACTIONS = `
  -- a1 → b1: a like a day old, a reply 30 days old (weight 2), a follow (no weight)
  ('twitter', 'likes', 'i1', 'a1', 'A', 'b1', 'B', 'p1', 'like', timestamptz '2026-11-24 00:00:00+00', 1.0),
  ('twitter', 'replies', 'i2', 'a1', 'A', 'b1', 'B', 'p1', 'reply', timestamptz '2026-10-26 00:00:00+00', 2.0),
  ('twitter', 'follows', 'i3', 'a1', 'A', 'b1', 'B', null, 'follow', timestamptz '2026-10-01 00:00:00+00', 0.0),
  -- b1 → a1: a like 60 days old; b1 is discounted (busy 0.5) and suspect (bot 0.2)
  ('twitter', 'likes', 'i4', 'b1', 'B', 'a1', 'A', 'p2', 'like', timestamptz '2026-09-26 00:00:00+00', 1.0),
  -- c1 → a1: a bot for certain, weight 0
  ('twitter', 'likes', 'i5', 'c1', 'C', 'a1', 'A', 'p2', 'like', timestamptz '2026-11-24 12:00:00+00', 1.0),
  -- a1 → c1: only a follow, no weighted action
  ('twitter', 'follows', 'i6', 'a1', 'A', 'c1', 'C', null, 'follow', timestamptz '2026-11-01 00:00:00+00', 0.0),
  -- the same ids on another network are another pair: a like half a day old
  ('mastodon', 'likes', 'i1', 'a1', 'A', 'b1', 'B', 'p9', 'like', timestamptz '2026-11-24 12:00:00+00', 1.0)
`;

describe("int_engagement_pairs and int_engagement_pair_weights", () => {
  let wh: Warehouse;
  beforeEach(async () => {
    wh = await memoryWarehouse();
  });
  afterEach(() => wh.close());

  it("count each pair's actions and give the run date's weight of the weighted ones, worked out by hand", async () => {
    await upstream(wh, ACTIONS);
    const pairs = await wh.all<{ network: string; actor: string; target: string; actions: number; weighted_actions: number; follows: number }>(
      `select network, actor_account_id as actor, target_account_id as target, actions::integer as actions,
         weighted_actions::integer as weighted_actions, follows::integer as follows
       from intermediate.int_engagement_pairs order by all`,
    );
    expect(pairs).toEqual([
      { network: "mastodon", actor: "a1", target: "b1", actions: 1, weighted_actions: 1, follows: 0 },
      { network: "twitter", actor: "a1", target: "b1", actions: 3, weighted_actions: 2, follows: 1 },
      { network: "twitter", actor: "a1", target: "c1", actions: 1, weighted_actions: 0, follows: 1 },
      { network: "twitter", actor: "b1", target: "a1", actions: 1, weighted_actions: 1, follows: 0 },
      { network: "twitter", actor: "c1", target: "a1", actions: 1, weighted_actions: 1, follows: 0 },
    ]);
    const weights = await wh.all<{ network: string; actor: string; target: string; weight: number }>(
      "select network, actor_account_id as actor, target_account_id as target, weight from intermediate.int_engagement_pair_weights order by all",
    );
    // the pair with only a follow has no weighted action and no row
    expect(weights.map((w) => `${w.network} ${w.actor}→${w.target}`)).toEqual(["mastodon a1→b1", "twitter a1→b1", "twitter b1→a1", "twitter c1→a1"]);
    const expected = [
      0.5 ** (0.5 / 30), // half a day old
      1 * 0.5 ** (1 / 30) + 2 * 0.5 ** (30 / 30), // a day old, and 30 days (one half-life) at weight 2
      1 * 0.5 ** (60 / 30) * 0.5 * (1 - 0.2), // two half-lives, busy 0.5, bot 0.2
      0, // bot likelihood 1
    ];
    weights.forEach((w, i) => expect(w.weight).toBeCloseTo(expected[i]!, 12));
  });

  it("give each pair the sum of int_engagements_weighted's weights over its actions", async () => {
    // many actions per pair, at ages spread over the window, so that the reference time is far from every one of them
    const rows: string[] = [];
    for (let i = 0; i < 400; i++) {
      const actor = `e${i % 7}`;
      const target = `t${i % 5}`;
      const hours = (i * 37) % (89 * 24);
      rows.push(`('twitter', 'likes', 'x${i}', '${actor}', 'P${actor}', '${target}', 'P${target}', null, 'like',
        timestamptz '2026-11-24 23:00:00+00' - to_hours(${hours}), ${1 + (i % 3)}.0)`);
    }
    await upstream(wh, rows.join(",\n"));
    await wh.run(`insert into intermediate.int_account_behaviour select 'twitter', 'e' || n::varchar, 1.0 / (1 + n), n / 10.0 from range(7) as t(n)`);
    const diffs = await wh.all<{ pair: string; ours: number; sum: number }>(`
      select p.actor_account_id || '→' || p.target_account_id as pair, p.weight as ours, e.weight as sum
      from intermediate.int_engagement_pair_weights as p
      join (select actor_account_id, target_account_id, sum(weight) as weight from intermediate.int_engagements_weighted group by all) as e
        using (actor_account_id, target_account_id)
      order by pair`);
    expect(diffs).toHaveLength(35);
    for (const d of diffs) expect(Math.abs(d.ours - d.sum)).toBeLessThanOrEqual(1e-12 * d.sum);
  });

  it("fail the build on an action more than 1,000 half-lives from 2020-01-01 rather than overflow", async () => {
    await expect(
      upstream(wh, `('twitter', 'likes', 'old', 'a1', 'A', 'b1', 'B', null, 'like', timestamptz '1900-01-01 00:00:00+00', 1.0)`),
    ).rejects.toThrow(/int_engagement_pairs: an action at 1900-01-01.* is more than 1,000 half-lives from 2020-01-01/);
  });
});
