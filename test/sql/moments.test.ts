import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { memoryWarehouse, modelSql } from "../helpers/warehouse.ts";

// fct_moments: each person's ten pieces of content with the most weighted engagement, across their accounts. The
// model's SQL file runs as it is over hand-made content engagement; the expected ranks are read off the rows below.

const SQL = modelSql("sql/marts/scores/fct_moments.sql");

describe("fct_moments", () => {
  let wh: Warehouse;
  beforeEach(async () => {
    wh = await memoryWarehouse();
    await wh.run("set variable run_date = date '2026-11-24'");
    await wh.run(`
      create table intermediate.int_accounts_resolved (network varchar, account_id varchar, person_id varchar);
      insert into intermediate.int_accounts_resolved values ('twitter', 'a1', 'P'), ('mastodon', 'm1', 'P'), ('twitter', 'b1', 'Q');
      create table intermediate.int_content_engagement (network varchar, content_id varchar, account_id varchar,
        weighted_engagement double, engaged_weight double, engaged_people bigint, engagements bigint);
      -- P: eleven posts on twitter weighing 1..11, one on mastodon weighing 5 (a tie with twitter's c5), and one
      -- that only bots engaged (weight 0); Q: one post, and one only bots engaged
      insert into intermediate.int_content_engagement
        select 'twitter', 'c' || lpad(n::varchar, 2, '0'), 'a1', n, n, n, n from range(1, 12) as t(n);
      insert into intermediate.int_content_engagement values
        ('mastodon', 'c05', 'm1', 5.0, 5.0, 2, 3),
        ('twitter', 'zero', 'a1', 0.0, 0.0, 1, 1),
        ('twitter', 'q1', 'b1', 0.5, 0.5, 1, 1),
        ('twitter', 'qzero', 'b1', 0.0, 0.0, 1, 1);
      create table intermediate.int_content_unioned (network varchar, content_id varchar, account_id varchar,
        created_at timestamptz, content_type varchar, text varchar);
      insert into intermediate.int_content_unioned values
        ('twitter', 'c11', 'a1', timestamptz '2026-11-20 10:00:00+00', 'post', repeat('x', 300)),
        ('mastodon', 'c05', 'm1', timestamptz '2026-11-21 10:00:00+00', 'post', 'toot');
    `);
  });
  afterEach(() => wh.close());

  it("ranks each person's content across accounts, keeps ten, drops content nobody but bots engaged", async () => {
    const rows = await wh.all<{ person_id: string; network: string; content_id: string; moment_rank: number; text: string | null }>(
      `select person_id, network, content_id, moment_rank::integer as moment_rank, text from (${SQL}) order by person_id, moment_rank`,
    );
    const ids = (p: string) => rows.filter((r) => r.person_id === p).map((r) => `${r.network}:${r.content_id}`);
    // 11..2 on twitter, with mastodon's 5 placed before twitter's c05 (a tie: network, then content_id); c01 is 11th
    expect(ids("P")).toEqual([
      "twitter:c11", "twitter:c10", "twitter:c09", "twitter:c08", "twitter:c07", "twitter:c06",
      "mastodon:c05", "twitter:c05", "twitter:c04", "twitter:c03",
    ]);
    expect(rows.filter((r) => r.person_id === "P").map((r) => r.moment_rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ids("Q")).toEqual(["twitter:q1"]);
    // the text is cut to 280 characters; content not in int_content_unioned keeps its row, without text
    expect(rows.find((r) => r.content_id === "c11")!.text).toBe("x".repeat(280));
    expect(rows.find((r) => r.network === "mastodon")!.text).toBe("toot");
    expect(rows.find((r) => r.content_id === "c10")!.text).toBeNull();
  });
});
