import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { memoryWarehouse, modelSql } from "../helpers/warehouse.ts";

// Logic tests of int_accounts_resolved on a hand-made upstream: the model's SQL file runs as it is over small
// tables standing in for the content, the interactions, the identities links and the two profile exports.

const SQL = modelSql("sql/intermediate/core/int_accounts_resolved.sql");
const PROFILE = "network varchar, account_id varchar, handle varchar, display_name varchar, follower_count bigint, following_count bigint";

async function upstream(wh: Warehouse): Promise<void> {
  await wh.run(`
    create table intermediate.int_content_unioned (network varchar, content_id varchar, account_id varchar, created_at timestamptz);
    create table intermediate.int_interactions_unioned (network varchar, origin varchar, interaction_id varchar, actor_account_id varchar,
      target_account_id varchar, occurred_at timestamptz);
    create table staging.stg_identities__links (network varchar, account_id varchar, person_id varchar, display_name varchar);
    create table staging.stg_twitter__users (${PROFILE});
    create table staging.stg_facebook__friends (${PROFILE});
    insert into intermediate.int_content_unioned values
      ('twitter', 'c1', 'ann', timestamptz '2026-11-10 08:00:00+00'),
      ('reddit', 'c2', 'spez', timestamptz '2026-11-12 09:00:00+00'),
      ('reddit', 'c3', null, timestamptz '2026-11-12 10:00:00+00');
    insert into intermediate.int_interactions_unioned values
      ('twitter', 'likes', 'i1', 'bob', 'ann', timestamptz '2026-11-05 12:00:00+00'),
      ('twitter', 'likes', 'i2', 'ann', 'bob', timestamptz '2026-11-20 12:00:00+00'),
      ('twitter', 'follows', 'i3', 'cat', 'ann', timestamptz '2026-11-15 12:00:00+00'),
      ('twitter', 'follows', 'i4', 'cat', 'dan', timestamptz '2026-11-01 12:00:00+00');
    insert into staging.stg_identities__links values ('twitter', 'ann', 'p-ann', 'Ann A.'), ('facebook', 'f-ann', 'p-ann', 'Ann A.');
    insert into staging.stg_twitter__users values ('twitter', 'ann', 'ann_a', 'Ann Anders', 1200, 80);
  `);
}

describe("int_accounts_resolved", () => {
  let wh: Warehouse;
  beforeEach(async () => {
    wh = await memoryWarehouse();
    await upstream(wh);
  });
  afterEach(() => wh.close());

  it("has one row per account seen anywhere, first and last seen over content and both ends of every interaction", async () => {
    const rows = await wh.all(`select network, account_id, person_id, is_linked, handle, display_name, follower_count,
      first_seen_at::varchar as first_seen, last_seen_at::varchar as last_seen from (${SQL}) order by network, account_id`);
    expect(rows).toEqual([
      // linked, never seen acting or posting: no dates
      { network: "facebook", account_id: "f-ann", person_id: "p-ann", is_linked: true, handle: null, display_name: "Ann A.", follower_count: null, first_seen: null, last_seen: null },
      // Reddit ids are usernames; the [deleted] author (null account) is no account
      { network: "reddit", account_id: "spez", person_id: "reddit:spez", is_linked: false, handle: "spez", display_name: "spez", follower_count: null, first_seen: "2026-11-12 09:00:00+00", last_seen: "2026-11-12 09:00:00+00" },
      // target on 11-05 and 11-15, author on 11-10, actor on 11-20; the profile's name wins over the link's
      { network: "twitter", account_id: "ann", person_id: "p-ann", is_linked: true, handle: "ann_a", display_name: "Ann Anders", follower_count: 1200, first_seen: "2026-11-05 12:00:00+00", last_seen: "2026-11-20 12:00:00+00" },
      // actor on 11-05, target on 11-20
      { network: "twitter", account_id: "bob", person_id: "twitter:bob", is_linked: false, handle: null, display_name: null, follower_count: null, first_seen: "2026-11-05 12:00:00+00", last_seen: "2026-11-20 12:00:00+00" },
      { network: "twitter", account_id: "cat", person_id: "twitter:cat", is_linked: false, handle: null, display_name: null, follower_count: null, first_seen: "2026-11-01 12:00:00+00", last_seen: "2026-11-15 12:00:00+00" },
      // only ever a target
      { network: "twitter", account_id: "dan", person_id: "twitter:dan", is_linked: false, handle: null, display_name: null, follower_count: null, first_seen: "2026-11-01 12:00:00+00", last_seen: "2026-11-01 12:00:00+00" },
    ]);
  });
});
