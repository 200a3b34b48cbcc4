import { describe, it, expect } from "vitest";
import { reddit } from "../../pipelines/networks/reddit.ts";
import type { EntitySpec, WorldEvent } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { compileTests, runTests, selectTests } from "../../src/runner/datatests.ts";
import { buildGraph } from "../../src/runner/graph.ts";
import { loadProject } from "../../src/runner/project.ts";
import { buildModels, loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

const spec = (entity: string): EntitySpec<any> => reddit.entities.find((e) => e.entity === entity)!;
const submissions = spec("submissions");
const comments = spec("comments");

function row(entity: EntitySpec<any>, record: unknown): Record<string, unknown> {
  const v = validateRecord(entity, record);
  if (!v.ok) throw new Error(`unexpected reject: ${v.reason}`);
  return Object.fromEntries(entity.columns.map((c, i) => [c.name, v.row[i]]));
}

function reason(entity: EntitySpec<any>, record: unknown): string {
  const v = validateRecord(entity, record);
  if (v.ok) throw new Error("expected a reject");
  return v.reason;
}

// Shaped like Pushshift RS_/RC_ dump lines (trimmed: dumps carry dozens more fields).
const dumpSubmission = {
  archived: false,
  author: "spez",
  author_fullname: "t2_1w72",
  created_utc: 1706745600,
  id: "1afxyz1",
  name: "t3_1afxyz1",
  num_comments: 12,
  over_18: false,
  permalink: "/r/rstats/comments/1afxyz1/tidy_tuesday/",
  score: 42,
  selftext: "This week: #TidyTuesday data",
  subreddit: "rstats",
  subreddit_id: "t5_2qh5a",
  title: "Tidy Tuesday",
  url: "https://www.reddit.com/r/rstats/comments/1afxyz1/tidy_tuesday/",
};

const dumpComment = {
  author: "[deleted]",
  body: "[deleted]",
  controversiality: 0,
  created_utc: "1706749200",
  edited: false,
  id: "kobq3zd",
  link_id: "t3_1afxyz1",
  parent_id: "t3_1afxyz1",
  score: -3,
  subreddit: "rstats",
};

describe("reddit schemas", () => {
  it("lands a dump submission, tolerating unknown fields", () => {
    const r = row(submissions, dumpSubmission);
    expect(r).toMatchObject({ id: "1afxyz1", author: "spez", subreddit: "rstats", created_utc: 1706745600000, score: 42, num_comments: 12 });
    expect(r.hashtags).toEqual(["tidytuesday"]);
    expect(r).not.toHaveProperty("url");
  });

  it("keeps the quirks: created_utc int or string, [deleted] authors, negative and string scores", () => {
    const c = row(comments, dumpComment);
    expect(c).toMatchObject({ author: "[deleted]", created_utc: 1706749200000, score: -3, parent_id: "t3_1afxyz1" });
    expect(row(comments, { ...dumpComment, created_utc: 1706749200 }).created_utc).toBe(1706749200000);
    expect(row(comments, { ...dumpComment, created_utc: "1706749200.0" }).created_utc).toBe(1706749200000);
    expect(row(submissions, { ...dumpSubmission, score: "-7" }).score).toBe(-7);
    expect(row(submissions, { ...dumpSubmission, selftext: undefined }).selftext).toBeNull();
  });

  it("keeps huge ids exact as strings", () => {
    expect(row(submissions, { ...dumpSubmission, id: "18446744073709551616" }).id).toBe("18446744073709551616");
  });

  it("rejects missing required fields, with the field named", () => {
    const { author: _a, ...noAuthor } = dumpSubmission;
    expect(reason(submissions, noAuthor)).toMatch(/^author: /);
    const { subreddit: _s, ...noSub } = dumpSubmission;
    expect(reason(submissions, noSub)).toMatch(/^subreddit: /);
    const { link_id: _l, ...noLink } = dumpComment;
    expect(reason(comments, noLink)).toMatch(/^link_id: /);
    const { created_utc: _c, ...noTime } = dumpComment;
    expect(reason(comments, noTime)).toMatch(/^created_utc: /);
  });

  it("rejects wrong types and malformed fullnames", () => {
    expect(reason(comments, { ...dumpComment, parent_id: "kobq3zd" })).toBe("parent_id: a fullname t1_<id> or t3_<id>");
    expect(reason(comments, { ...dumpComment, link_id: "t1_kobq3zd" })).toBe("link_id: a submission fullname t3_<id>");
    expect(reason(submissions, { ...dumpSubmission, num_comments: -1 })).toMatch(/^num_comments: /);
    expect(reason(submissions, { ...dumpSubmission, score: 1.5 })).toMatch(/^score: /);
    expect(reason(comments, { ...dumpComment, body: null })).toMatch(/^body: /);
  });

  it("rejects impossible times", () => {
    expect(reason(comments, { ...dumpComment, created_utc: "2024-02-01" })).toContain('epoch seconds "2024-02-01" is not a number');
    expect(reason(submissions, { ...dumpSubmission, created_utc: 1706745600000 })).toContain("outside 2000–2099");
    expect(reason(submissions, { ...dumpSubmission, created_utc: 0 })).toContain("outside 2000–2099");
  });
});

const T = Date.UTC(2026, 10, 24, 10, 0, 0);
const MIN = 60_000;
type Parent = { contentId: string; accountId: string; handle: string };
const events: WorldEvent[] = [
  {
    kind: "content", network: "reddit", contentId: "p1", accountId: "alice", handle: "alice", createdAtMs: T,
    contentType: "post", title: "Tidy data #rstats", text: "Long body", hashtags: ["rstats"], mentions: [], topicHints: ["rstats"],
  },
  {
    // No title, no subreddit: a profile post.
    kind: "content", network: "reddit", contentId: "p2", accountId: "bob", handle: "bob", createdAtMs: T + MIN,
    contentType: "post", text: "just me", hashtags: [], mentions: [], topicHints: [],
  },
  {
    kind: "content", network: "reddit", contentId: "c1", accountId: "bob", handle: "bob", createdAtMs: T + 2 * MIN,
    contentType: "reply", text: "nice", hashtags: [], mentions: [], topicHints: ["rstats"],
    parent: { contentId: "p1", accountId: "alice", handle: "alice" },
  },
  {
    // A reply to the comment above; rootContentId names its submission (see ThreadParent in reddit.ts).
    kind: "content", network: "reddit", contentId: "c2", accountId: "carol", handle: "carol", createdAtMs: T + 3 * MIN,
    contentType: "reply", text: "agreed", hashtags: [], mentions: [], topicHints: ["rstats"],
    parent: { contentId: "c1", accountId: "bob", handle: "bob", rootContentId: "p1" } as Parent,
  },
  {
    kind: "interaction", network: "reddit", interactionId: "c3", actorAccountId: "dave", actorHandle: "dave",
    targetAccountId: "alice", targetHandle: "alice", targetContentId: "p1", action: "reply", occurredAtMs: T + 4 * MIN,
  },
];

describe("reddit emit", () => {
  it("writes dump lines: fullnames, created_utc int for some ids and string for others, deterministically", () => {
    const emitted = events.flatMap((e) => reddit.emit!(e));
    expect(emitted.map((e) => e.entity)).toEqual(["submissions", "submissions", "comments", "comments", "comments"]);
    expect(emitted[3]!.record).toMatchObject({ id: "c2", author: "carol", link_id: "t3_p1", parent_id: "t1_c1" });
    expect(emitted[2]!.record).toMatchObject({ link_id: "t3_p1", parent_id: "t3_p1", subreddit: "rstats" });
    expect(new Set(emitted.map((e) => typeof e.record.created_utc))).toEqual(new Set(["number", "string"]));
    expect(events.flatMap((e) => reddit.emit!(e))).toEqual(emitted);
    expect(emitted[1]!.record).toMatchObject({ subreddit: "u_bob", title: "just me", selftext: "" });
  });

  it("has nothing for follows, likes or accounts", () => {
    const follow: WorldEvent = {
      kind: "interaction", network: "reddit", interactionId: "f", actorAccountId: "a", actorHandle: "a",
      targetAccountId: "b", targetHandle: "b", action: "follow", occurredAtMs: T,
    };
    expect(reddit.emit!(follow)).toEqual([]);
  });
});

describe("reddit round trip: events → emit → land → staging", () => {
  it("stages what the events said, once, with parents resolved, [deleted] kept, declared tests passing", async () => {
    const wh = await memoryWarehouse();
    try {
      const emitted = events.flatMap((e) => reddit.emit!(e));
      const byEntity = (name: string) => emitted.filter((e) => e.entity === name).map((e) => JSON.parse(JSON.stringify(e.record)));
      for (const dt of ["2026-11-23", "2026-11-24"]) {
        for (const entity of reddit.entities) {
          const landed = await loadRaw(wh, entity, byEntity(entity.entity), { dt });
          expect(landed.rejects).toEqual([]);
        }
      }
      // A deleted account's submission, a reply to it, and a deleted account's reply to alice's post.
      await loadRaw(wh, submissions, [{ ...dumpSubmission, id: "p9", author: "[deleted]", selftext: "[removed]", created_utc: 1796000000 }]);
      await loadRaw(wh, comments, [
        { id: "c9", author: "erin", body: "gone?", link_id: "t3_p9", parent_id: "t3_p9", created_utc: 1796000100 },
        { ...dumpComment, id: "c8", link_id: "t3_p1", parent_id: "t3_p1", subreddit: undefined, created_utc: 1796000200 },
      ]);
      const models = ["stg_reddit__submissions", "stg_reddit__comments"];
      await buildModels(wh, models.join(" "));

      expect(await wh.one("select count(*)::integer as n from raw.reddit__submissions")).toEqual({ n: 5 });
      const posts = await wh.all(
        "select content_id, account_id, epoch_ms(created_at) as ms, content_type, text, hashtags, parent_content_id, topic_hints, is_author_deleted from staging.stg_reddit__submissions order by ms",
      );
      expect(posts).toEqual([
        { content_id: "p1", account_id: "alice", ms: T, content_type: "post", text: "Tidy data #rstats\n\nLong body", hashtags: ["rstats"], parent_content_id: null, topic_hints: ["rstats"], is_author_deleted: false },
        { content_id: "p2", account_id: "bob", ms: T + MIN, content_type: "post", text: "just me", hashtags: [], parent_content_id: null, topic_hints: [], is_author_deleted: false },
        { content_id: "p9", account_id: null, ms: 1796000000000, content_type: "post", text: "Tidy Tuesday", hashtags: [], parent_content_id: null, topic_hints: ["rstats"], is_author_deleted: true },
      ]);

      const replies = await wh.all(
        "select content_id, account_id, epoch_ms(created_at) as ms, content_type, text, parent_content_id, parent_account_id, submission_id, topic_hints, is_author_deleted from staging.stg_reddit__comments order by ms",
      );
      expect(replies).toEqual([
        { content_id: "c1", account_id: "bob", ms: T + 2 * MIN, content_type: "reply", text: "nice", parent_content_id: "p1", parent_account_id: "alice", submission_id: "p1", topic_hints: ["rstats"], is_author_deleted: false },
        { content_id: "c2", account_id: "carol", ms: T + 3 * MIN, content_type: "reply", text: "agreed", parent_content_id: "c1", parent_account_id: "bob", submission_id: "p1", topic_hints: ["rstats"], is_author_deleted: false },
        { content_id: "c3", account_id: "dave", ms: T + 4 * MIN, content_type: "reply", text: "", parent_content_id: "p1", parent_account_id: "alice", submission_id: "p1", topic_hints: ["rstats"], is_author_deleted: false },
        { content_id: "c9", account_id: "erin", ms: 1796000100000, content_type: "reply", text: "gone?", parent_content_id: "p9", parent_account_id: null, submission_id: "p9", topic_hints: ["rstats"], is_author_deleted: false },
        { content_id: "c8", account_id: null, ms: 1796000200000, content_type: "reply", text: null, parent_content_id: "p1", parent_account_id: "alice", submission_id: "p1", topic_hints: ["rstats"], is_author_deleted: true },
      ]);

      const cols = await wh.all<{ column_name: string }>(
        "select column_name from information_schema.columns where table_schema = 'staging' and table_name = 'stg_reddit__comments' order by ordinal_position",
      );
      expect(cols.map((c) => c.column_name).slice(0, 11)).toEqual([
        "network", "content_id", "account_id", "created_at", "content_type", "text", "hashtags", "mentioned_account_ids", "parent_content_id", "parent_account_id", "topic_hints",
      ]);

      const graph = await buildGraph(loadProject(INSTALL_DIR), wh);
      const tests = selectTests(compileTests(graph), models);
      expect(tests.length).toBeGreaterThanOrEqual(12);
      const results = await runTests(wh, tests, { runId: "test-reddit" });
      expect(results.filter((r) => r.status !== "pass")).toEqual([]);
    } finally {
      wh.close();
    }
  });
});
