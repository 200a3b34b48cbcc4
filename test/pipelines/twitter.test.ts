import { describe, it, expect } from "vitest";
import { follows, likes, tweets, twitter, users } from "../../pipelines/networks/twitter.ts";
import type { WorldEvent } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { compileTests, runTests, selectTests } from "../../src/runner/datatests.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { loadProject } from "../../src/runner/project.ts";
import { buildModels, landEmitted, loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

const MODELS = ["stg_twitter__tweets", "stg_twitter__users", "stg_twitter__likes", "stg_twitter__follows"];
const HUGE = "18446744073709551616"; // 2^64: beyond BIGINT, must stay an exact string

/** Shaped like the X API v2 Tweet object reference example (a reply with entities and metrics). */
const realTweet = {
  id: "1212092628029698048",
  text: "@TwitterDev We believe the best future version of our API will come from building it with YOU. #TwitterAPI https://t.co/yvxdK6aOo2",
  edit_history_tweet_ids: ["1212092628029698048"],
  author_id: "2244994945",
  conversation_id: "1212092627178287104",
  in_reply_to_user_id: "2244994945",
  created_at: "2019-12-31T19:26:16.000Z",
  lang: "en",
  possibly_sensitive: false,
  reply_settings: "everyone",
  source: "Twitter Web App",
  referenced_tweets: [{ type: "replied_to", id: "1212092627178287104" }],
  entities: {
    mentions: [{ start: 0, end: 11, username: "TwitterDev", id: "2244994945" }],
    hashtags: [{ start: 96, end: 107, tag: "TwitterAPI" }],
    urls: [{ start: 108, end: 131, url: "https://t.co/yvxdK6aOo2", expanded_url: "https://twitter.com/LovesNature/status/1211797914437259264/photo/1" }],
    annotations: [{ start: 78, end: 81, probability: 0.5, type: "Other", normalized_text: "API" }],
  },
  public_metrics: { retweet_count: 8, reply_count: 2, like_count: 40, quote_count: 1, bookmark_count: 0, impression_count: 3900 },
};

/** Shaped like the X API v2 User object reference example. */
const realUser = {
  id: "2244994945",
  name: "X Dev",
  username: "TwitterDev",
  created_at: "2013-12-14T04:35:55.000Z",
  description: "The voice of the X Dev team and your official source for updates.",
  location: "127.0.0.1",
  pinned_tweet_id: "1255542774432063488",
  profile_image_url: "https://pbs.twimg.com/profile_images/1354494203451961345/d8HkZl6p_normal.jpg",
  protected: false,
  verified: true,
  url: "https://t.co/3ZX3TNiZCY",
  public_metrics: { followers_count: 513958, following_count: 2039, tweet_count: 3635, listed_count: 1672 },
};

function accepted(spec: Parameters<typeof validateRecord>[0], record: unknown) {
  const v = validateRecord(spec, record);
  if (!v.ok) throw new Error(`expected accept, got: ${v.reason}`);
  return Object.fromEntries(spec.columns.map((c, i) => [c.name, v.row[i]]));
}
function rejected(spec: Parameters<typeof validateRecord>[0], record: unknown): string {
  const v = validateRecord(spec, record);
  if (v.ok) throw new Error("expected a reject");
  return v.reason;
}

describe("twitter schemas", () => {
  it("lands a real-shaped v2 Tweet", () => {
    const row = accepted(tweets, realTweet);
    expect(row).toMatchObject({
      id: "1212092628029698048",
      author_id: "2244994945",
      created_at: Date.UTC(2019, 11, 31, 19, 26, 16),
      in_reply_to_user_id: "2244994945",
      referenced_tweets__type: ["replied_to"],
      referenced_tweets__id: ["1212092627178287104"],
      entities__hashtags__tag: ["TwitterAPI"],
      entities__mentions__username: ["TwitterDev"],
      entities__mentions__id: ["2244994945"],
      public_metrics__like_count: 40,
      public_metrics__impression_count: 3900,
      lang: "en",
    });
  });

  it("lands a real-shaped v2 User", () => {
    expect(accepted(users, realUser)).toMatchObject({
      id: "2244994945",
      username: "TwitterDev",
      name: "X Dev",
      created_at: Date.UTC(2013, 11, 14, 4, 35, 55),
      verified: true,
      public_metrics__followers_count: 513958,
      public_metrics__following_count: 2039,
    });
  });

  it("keeps the minimal tweet: no entities, metrics or references (hashtags read from text)", () => {
    const row = accepted(tweets, { id: "5", text: "Plain #Tweet and #tweet #2026", author_id: "6", created_at: "2026-11-24T10:00:00.000Z" });
    expect(row.entities__hashtags__tag).toEqual(["tweet"]);
    expect(row.referenced_tweets__type).toEqual([]);
    expect(row.entities__mentions__id).toEqual([]);
    expect(row.public_metrics__like_count).toBeNull();
  });

  it("keeps mentions without an id aligned ('' for the missing id)", () => {
    const row = accepted(tweets, {
      ...realTweet,
      entities: { mentions: [{ start: 0, end: 4, username: "old" }, { start: 5, end: 9, username: "new", id: "7" }] },
    });
    expect(row.entities__mentions__username).toEqual(["old", "new"]);
    expect(row.entities__mentions__id).toEqual(["", "7"]);
  });

  it("keeps huge ids exact and tolerates unknown fields", () => {
    const row = accepted(tweets, { ...realTweet, id: HUGE, author_id: HUGE, brand_new_field: { x: 1 } });
    expect(row.id).toBe(HUGE);
    expect(row.author_id).toBe(HUGE);
    expect(accepted(likes, { user_id: HUGE, tweet_id: HUGE, extra: true })).toEqual({ user_id: HUGE, tweet_id: HUGE, created_at: null });
  });

  it("accepts small integer ids and turns them into strings", () => {
    expect(accepted(follows, { source_user_id: 12, target_user_id: 13, created_at: "2026-11-24T10:00:00Z" })).toEqual({
      source_user_id: "12",
      target_user_id: "13",
      created_at: Date.UTC(2026, 10, 24, 10),
    });
  });

  it("rejects bad tweets with a readable reason", () => {
    const { author_id: _drop, ...noAuthor } = realTweet;
    expect(rejected(tweets, noAuthor)).toMatch(/^author_id: /);
    expect(rejected(tweets, { ...realTweet, created_at: "2026-02-30T10:00:00.000Z" })).toBe('created_at: time "2026-02-30T10:00:00.000Z" is not a real date');
    expect(rejected(tweets, { ...realTweet, created_at: "1999-12-31T23:59:59.000Z" })).toMatch(/created_at: .*outside 2000–2099/);
    expect(rejected(tweets, { ...realTweet, created_at: 1732442400 })).toBe("created_at: Invalid input: expected string, received number");
    expect(rejected(tweets, { ...realTweet, text: 42 })).toBe("text: Invalid input: expected string, received number");
    expect(rejected(tweets, { ...realTweet, id: "" })).toBe("id: empty id");
    // whitespace only names nobody either (ASCII or Unicode spaces); an id with a space inside is still an id
    expect(rejected(tweets, { ...realTweet, id: " " })).toBe("id: empty id");
    expect(rejected(tweets, { ...realTweet, author_id: "\t \u00a0\u3000" })).toBe("author_id: empty id");
    expect(accepted(tweets, { ...realTweet, id: "12 34" }).id).toBe("12 34");
    expect(accepted(tweets, { ...realTweet, id: "\u00e9t\u00e9" }).id).toBe("\u00e9t\u00e9");
    expect(rejected(tweets, { ...realTweet, referenced_tweets: [{ type: "retweet", id: "1" }] })).toMatch(/^referenced_tweets\.0\.type: Invalid option/);
    expect(rejected(tweets, { ...realTweet, public_metrics: { ...realTweet.public_metrics, like_count: -3 } })).toMatch(/^public_metrics\.like_count: /);
  });

  it("rejects bad users, likes and follows", () => {
    const { username: _u, ...noUsername } = realUser;
    expect(rejected(users, noUsername)).toBe("username: Invalid input: expected string, received undefined");
    expect(rejected(users, { ...realUser, public_metrics: { followers_count: "many", following_count: 1 } })).toMatch(/^public_metrics\.followers_count: /);
    expect(rejected(likes, { user_id: "1" })).toMatch(/^tweet_id: /);
    expect(rejected(likes, { user_id: "1", tweet_id: "2", created_at: "2026-13-01T00:00:00Z" })).toMatch(/^created_at: .*not a real date/);
    expect(rejected(follows, { source_user_id: "1", target_user_id: null })).toMatch(/^target_user_id: /);
  });
});

// ── round trip: WorldEvents → emit → land → staging ──────────────────────────────────────────────

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const acct = (accountId: string, handle: string, i: number): WorldEvent => ({
  kind: "account",
  network: "twitter",
  accountId,
  handle,
  displayName: handle.toUpperCase(),
  createdAtMs: Date.UTC(2015, i, 1),
  followerCount: 100 * (i + 1),
  followingCount: 10 * (i + 1),
  verified: i === 0,
});
const alice = { accountId: "1001", handle: "alice" };
const bob = { accountId: "1002", handle: "bob" };
const carol = { accountId: HUGE, handle: "carol" };
type Content = Extract<WorldEvent, { kind: "content" }>;
const content = (c: Partial<Content> & Pick<Content, "contentId" | "accountId" | "handle" | "contentType" | "text">, minute: number): Content => ({
  kind: "content",
  network: "twitter",
  createdAtMs: T0 + minute * 60_000,
  hashtags: [],
  mentions: [],
  topicHints: [],
  ...c,
});
const interaction = (
  i: Omit<Extract<WorldEvent, { kind: "interaction" }>, "kind" | "network" | "occurredAtMs">,
  minute: number,
): WorldEvent => ({ kind: "interaction", network: "twitter", occurredAtMs: T0 + minute * 60_000, ...i });

const post = content({ contentId: "2001", ...alice, contentType: "post", text: "Hello #Clout world, @bob look", hashtags: ["clout"], mentions: [bob] }, 0);
const contents: Content[] = [
  post,
  content({ contentId: "2002", ...bob, contentType: "reply", text: "@alice agreed #AI #clout", hashtags: ["ai", "clout"], mentions: [alice], parent: { contentId: "2001", ...alice } }, 1),
  content({ contentId: "2003", ...carol, contentType: "repost", text: post.text, hashtags: ["clout"], mentions: [bob], parent: { contentId: "2001", ...alice } }, 2),
  content({ contentId: "2004", ...bob, contentType: "quote", text: "so true #clout", hashtags: ["clout"], parent: { contentId: "2001", ...alice } }, 3),
  // Parents that never landed: the reply's author comes from in_reply_to_user_id, the retweet's from "RT @".
  content({ contentId: "2005", ...carol, contentType: "reply", text: "@alice old news", mentions: [alice], parent: { contentId: "9999", ...alice } }, 4),
  content({ contentId: "2006", ...bob, contentType: "repost", text: "an old one", parent: { contentId: "9998", ...alice } }, 5),
];
const events: WorldEvent[] = [
  acct(alice.accountId, alice.handle, 0),
  acct(bob.accountId, bob.handle, 1),
  acct(carol.accountId, carol.handle, 2),
  ...contents,
  interaction({ interactionId: "l1", actorAccountId: carol.accountId, actorHandle: "carol", targetAccountId: alice.accountId, targetHandle: "alice", targetContentId: "2001", action: "reaction", reactionType: "like" }, 10),
  interaction({ interactionId: "l2", actorAccountId: bob.accountId, actorHandle: "bob", targetAccountId: alice.accountId, targetHandle: "alice", targetContentId: "9999", action: "reaction", reactionType: "like" }, 11),
  interaction({ interactionId: "f1", actorAccountId: bob.accountId, actorHandle: "bob", targetAccountId: alice.accountId, targetHandle: "alice", action: "follow" }, 12),
  interaction({ interactionId: "3001", actorAccountId: carol.accountId, actorHandle: "carol", targetAccountId: bob.accountId, targetHandle: "bob", action: "mention" }, 13),
  interaction({ interactionId: "3002", actorAccountId: alice.accountId, actorHandle: "alice", targetAccountId: bob.accountId, targetHandle: "bob", targetContentId: "2002", action: "repost" }, 14),
];

const CONTENT_COLUMNS = ["network", "content_id", "account_id", "created_at", "content_type", "text", "hashtags", "mentioned_account_ids", "parent_content_id", "parent_account_id", "topic_hints"];
const INTERACTION_COLUMNS = ["network", "interaction_id", "actor_account_id", "target_account_id", "target_content_id", "action", "reaction_type", "occurred_at"];
const ACCOUNT_COLUMNS = ["network", "account_id", "handle", "display_name", "account_created_at", "follower_count", "following_count"];

describe("twitter emit", () => {
  it("writes v2 shapes: ISO times with milliseconds, referenced_tweets, RT prefix mention", () => {
    const [rt] = twitter.emit!(contents[2]!);
    expect(rt).toEqual({
      entity: "tweets",
      record: expect.objectContaining({
        id: "2003",
        author_id: HUGE,
        created_at: "2026-11-23T09:02:00.000Z",
        text: "RT @alice: Hello #Clout world, @bob look",
        referenced_tweets: [{ type: "retweeted", id: "2001" }],
      }),
    });
    const ents = (rt!.record.entities as { mentions: unknown[]; hashtags: unknown[] });
    expect(ents.mentions).toEqual([
      { start: 3, end: 9, username: "alice", id: "1001" },
      { start: 31, end: 35, username: "bob", id: "1002" },
    ]);
    expect(ents.hashtags).toEqual([{ start: 17, end: 23, tag: "Clout" }]);
    expect(twitter.emit!(contents[1]!)[0]!.record).toMatchObject({ in_reply_to_user_id: "1001", referenced_tweets: [{ type: "replied_to", id: "2001" }] });
  });

  it("returns nothing for what X does not carry", () => {
    expect(twitter.emit!({ ...post, contentType: "video" })).toEqual([]);
    expect(twitter.emit!({ kind: "delete", network: "twitter", accountId: "1", deletedId: "2001", occurredAtMs: T0 })).toEqual([]);
    expect(twitter.emit!({ ...(events.at(-3) as Extract<WorldEvent, { kind: "interaction" }>), action: "subscribe" })).toEqual([]);
  });

  it("is deterministic", () => {
    expect(events.flatMap(twitter.emit!)).toEqual(events.flatMap(twitter.emit!));
  });
});

describe("twitter round trip", () => {
  it("emit → land → staging gives back what the events said, once per record", async () => {
    const wh = await memoryWarehouse();
    try {
      const emitted = events.flatMap(twitter.emit!);
      // A tweet from an older export whose mention carries no id: resolved through the landed users.
      emitted.push({ entity: "tweets", record: { id: "2007", text: "cc @Alice", author_id: bob.accountId, created_at: "2026-11-23T09:30:00.000Z", entities: { mentions: [{ start: 3, end: 9, username: "Alice" }] } } });
      // Everything lands on two dates: staging must keep one copy.
      expect(await landEmitted(wh, twitter, emitted, ["2026-11-23", "2026-11-24"])).toEqual([]);
      await buildModels(wh, MODELS.join(" "));

      const tw = await wh.all("select *, epoch_ms(created_at) as created_ms from staging.stg_twitter__tweets order by content_id");
      expect(Object.keys(tw[0]!).slice(0, CONTENT_COLUMNS.length)).toEqual(CONTENT_COLUMNS);
      const got = tw.map((r) => ({
        content_id: r.content_id,
        account_id: r.account_id,
        created_ms: r.created_ms,
        content_type: r.content_type,
        hashtags: r.hashtags,
        mentioned_account_ids: r.mentioned_account_ids,
        parent_content_id: r.parent_content_id,
        parent_account_id: r.parent_account_id,
      }));
      const want = contents.map((c) => ({
        content_id: c.contentId,
        account_id: c.accountId,
        created_ms: c.createdAtMs,
        content_type: c.contentType,
        hashtags: [...c.hashtags].sort(),
        mentioned_account_ids: c.mentions.map((m) => m.accountId),
        parent_content_id: c.parent?.contentId ?? null,
        parent_account_id: c.parent?.accountId ?? null,
      }));
      want.push({ content_id: "2007", account_id: bob.accountId, created_ms: Date.UTC(2026, 10, 23, 9, 30), content_type: "post", hashtags: [], mentioned_account_ids: [alice.accountId], parent_content_id: null, parent_account_id: null });
      want.push({ content_id: "3001", account_id: carol.accountId, created_ms: T0 + 13 * 60_000, content_type: "post", hashtags: [], mentioned_account_ids: [bob.accountId], parent_content_id: null, parent_account_id: null });
      want.push({ content_id: "3002", account_id: alice.accountId, created_ms: T0 + 14 * 60_000, content_type: "repost", hashtags: [], mentioned_account_ids: [], parent_content_id: "2002", parent_account_id: bob.accountId });
      expect(got).toEqual(want.sort((a, b) => a.content_id.localeCompare(b.content_id)));
      expect(tw.find((r) => r.content_id === "2003")!.text).toBe("RT @alice: Hello #Clout world, @bob look");
      expect(tw.every((r) => r.network === "twitter")).toBe(true);

      const ints = await wh.all(
        `select *, epoch_ms(occurred_at) as occurred_ms from staging.stg_twitter__likes
         union all by name
         select *, epoch_ms(occurred_at) as occurred_ms from staging.stg_twitter__follows
         order by interaction_id`,
      );
      expect(Object.keys(ints[0]!).slice(0, INTERACTION_COLUMNS.length)).toEqual(INTERACTION_COLUMNS);
      expect(ints.map(({ occurred_at: _o, ...r }) => r)).toEqual([
        { network: "twitter", interaction_id: "follow:1002:1001", actor_account_id: "1002", target_account_id: "1001", target_content_id: null, action: "follow", reaction_type: null, occurred_ms: T0 + 12 * 60_000 },
        { network: "twitter", interaction_id: "like:1002:9999", actor_account_id: "1002", target_account_id: null, target_content_id: "9999", action: "reaction", reaction_type: "like", occurred_ms: T0 + 11 * 60_000 },
        { network: "twitter", interaction_id: `like:${HUGE}:2001`, actor_account_id: HUGE, target_account_id: "1001", target_content_id: "2001", action: "reaction", reaction_type: "like", occurred_ms: T0 + 10 * 60_000 },
      ]);

      const accts = await wh.all("select *, epoch_ms(account_created_at) as created_ms from staging.stg_twitter__users order by handle");
      expect(Object.keys(accts[0]!).slice(0, ACCOUNT_COLUMNS.length)).toEqual(ACCOUNT_COLUMNS);
      expect(accts.map((a) => [a.account_id, a.handle, a.display_name, a.created_ms, a.follower_count, a.following_count, a.is_verified])).toEqual([
        ["1001", "alice", "ALICE", Date.UTC(2015, 0, 1), 100, 10, true],
        ["1002", "bob", "BOB", Date.UTC(2015, 1, 1), 200, 20, false],
        [HUGE, "carol", "CAROL", Date.UTC(2015, 2, 1), 300, 30, false],
      ]);

      // The declared tests of the four models run and pass.
      const graph = await buildGraph(loadProject(INSTALL_DIR), wh);
      const declared = selectTests(compileTests(graph), MODELS);
      expect(declared.length).toBeGreaterThanOrEqual(15);
      const results = await runTests(wh, declared, { runId: "test-twitter" });
      expect(results.filter((r) => r.status !== "pass").map((r) => `${r.name}: ${r.status} ${r.message ?? ""}`)).toEqual([]);
    } finally {
      wh.close();
    }
  });

  it("a like or follow without a time occurs on the first date it landed; declared tests catch a duplicate key", async () => {
    const wh = await memoryWarehouse();
    try {
      for (const dt of ["2026-11-22", "2026-11-24"]) {
        await loadRaw(wh, likes, [{ user_id: "1", tweet_id: "2" }], { dt });
        await loadRaw(wh, follows, [{ source_user_id: "1", target_user_id: "3" }], { dt });
      }
      await loadRaw(wh, users, []);
      // The same tweet landed twice in one file (an edit re-exported): one row, the later line.
      await loadRaw(wh, tweets, [realTweet, { ...realTweet, text: "edited" }], { dt: "2026-11-24" });
      await buildModels(wh, MODELS.join(" "));
      const rows = await wh.all<{ occurred_at: string }>(
        "select strftime(occurred_at, '%Y-%m-%d %H:%M') as occurred_at from staging.stg_twitter__likes union all select strftime(occurred_at, '%Y-%m-%d %H:%M') from staging.stg_twitter__follows",
      );
      expect(rows).toEqual([{ occurred_at: "2026-11-22 00:00" }, { occurred_at: "2026-11-22 00:00" }]);
      const tw = await wh.all("select content_id, text, content_type, parent_account_id from staging.stg_twitter__tweets");
      // The later line wins; the parent never landed, so the reply's author comes from in_reply_to_user_id.
      expect(tw).toEqual([{ content_id: realTweet.id, text: "edited", content_type: "reply", parent_account_id: "2244994945" }]);

      // A declared test must be able to fail: a conflicting table with repeated keys.
      await wh.run("create or replace table staging.stg_twitter__follows as select * from staging.stg_twitter__likes union all select * from staging.stg_twitter__likes");
      const graph = await buildGraph(loadProject(INSTALL_DIR), wh);
      const results = await runTests(wh, selectTests(compileTests(graph), ["stg_twitter__follows"]), { runId: "test-twitter-fail" });
      expect(results.find((r) => r.name === "unique__stg_twitter__follows__interaction_id")?.status).toBe("fail");
      expect(results.find((r) => r.name === "accepted_values__stg_twitter__follows__action")?.status).toBe("fail");
    } finally {
      wh.close();
    }
  });
});
