// Lookups across landed copies pick one copy by a rule, never "any": the same lake must give the same numbers
// whatever order DuckDB reads it in. Each case lands two copies that disagree, the older first (the order a
// first-come pick such as any_value() or a tie in arg_max() would follow), and expects the rule's pick.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { comments as facebookComments, posts as facebookPosts, reactions as facebookReactions, shares as facebookShares } from "../../pipelines/networks/facebook.ts";
import { instagram } from "../../pipelines/networks/instagram.ts";
import { activities as mastodonActivities } from "../../pipelines/networks/mastodon.ts";
import { likes as twitterLikes, tweets as twitterTweets, users as twitterUsers } from "../../pipelines/networks/twitter.ts";
import { youtube } from "../../pipelines/networks/youtube.ts";
import type { EntitySpec } from "../../pipelines/types.ts";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { buildModels, loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

const OLD = "2026-11-22";
const NEW = "2026-11-23";

let wh: Warehouse;
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

const entity = (entities: EntitySpec<any>[], name: string) => entities.find((e) => e.entity === name)!;

/** Land each record on its date, in the order given; every load must be accepted. */
async function land(spec: EntitySpec<any>, ...copies: [string, unknown][]): Promise<void> {
  for (const [dt, record] of copies) expect((await loadRaw(wh, spec, [record], { dt })).rejects).toEqual([]);
}

describe("a record's author is the one its latest landed copy names", () => {
  const tweet = (author: string) => ({ id: "500", text: "hello", author_id: author, created_at: "2026-11-22T10:00:00.000Z" });

  it("twitter: a reply's parent author and a like's target agree with the parent tweet's own row", async () => {
    await land(twitterTweets, [OLD, tweet("111")], [NEW, tweet("222")]);
    await land(twitterTweets, [NEW, { id: "501", text: "a reply", author_id: "333", created_at: "2026-11-23T10:00:00.000Z", referenced_tweets: [{ type: "replied_to", id: "500" }] }]);
    await land(twitterLikes, [NEW, { user_id: "444", tweet_id: "500", created_at: "2026-11-23T11:00:00.000Z" }]);
    await loadRaw(wh, twitterUsers, []);
    await buildModels(wh, "stg_twitter__users stg_twitter__tweets stg_twitter__likes");
    expect(await wh.all("select content_id, account_id, parent_account_id from staging.stg_twitter__tweets order by content_id")).toEqual([
      { content_id: "500", account_id: "222", parent_account_id: null },
      { content_id: "501", account_id: "333", parent_account_id: "222" },
    ]);
    expect(await wh.all("select target_account_id from staging.stg_twitter__likes")).toEqual([{ target_account_id: "222" }]);
  });

  it("facebook: a comment's post author and a reaction's and a share's target agree with the post's own row", async () => {
    const post = (author: string) => ({ id: "1_2", created_time: "2026-11-22T10:00:00+0000", message: "hi", from: { name: "Page", id: author } });
    await land(facebookPosts, [OLD, post("111")], [NEW, post("222")]);
    await land(facebookComments, [NEW, { id: "2_3", post_id: "1_2", created_time: "2026-11-23T10:00:00+0000", from: { name: "Ann", id: "333" }, message: "nice" }]);
    await land(facebookShares, [NEW, { id: "444_9", from: { name: "Ben", id: "444" }, created_time: "2026-11-23T12:00:00+0000", parent_id: "1_2" }]);
    await land(facebookReactions, [NEW, { id: "555", name: "Cy", type: "LIKE", object_id: "1_2", created_time: "2026-11-23T13:00:00+0000" }]);
    await buildModels(wh, "stg_facebook__posts stg_facebook__comments stg_facebook__reactions stg_facebook__shares");
    expect(await wh.all("select account_id from staging.stg_facebook__posts")).toEqual([{ account_id: "222" }]);
    expect(await wh.all("select parent_account_id from staging.stg_facebook__comments")).toEqual([{ parent_account_id: "222" }]);
    expect(await wh.all("select target_account_id from staging.stg_facebook__reactions")).toEqual([{ target_account_id: "222" }]);
    expect(await wh.all("select target_account_id from staging.stg_facebook__shares")).toEqual([{ target_account_id: "222" }]);
  });

  it("mastodon: a boost's target agrees with the note's latest Create", async () => {
    const note = "https://a.example/users/x/statuses/1";
    const create = (actor: string) => ({
      id: `${note}/activity`,
      type: "Create",
      actor,
      published: "2026-11-22T10:00:00Z",
      object: { id: note, type: "Note", published: "2026-11-22T10:00:00Z", attributedTo: actor, content: "<p>hi</p>" },
    });
    await land(mastodonActivities, [OLD, create("https://a.example/users/old")], [NEW, create("https://a.example/users/new")]);
    await land(mastodonActivities, [NEW, { id: "https://b.example/users/y#announces/1", type: "Announce", actor: "https://b.example/users/y", published: "2026-11-23T10:00:00Z", object: note }]);
    await buildModels(wh, "stg_mastodon__notes stg_mastodon__interactions");
    expect(await wh.all("select account_id from staging.stg_mastodon__notes")).toEqual([{ account_id: "https://a.example/users/new" }]);
    expect(await wh.all("select target_account_id from staging.stg_mastodon__interactions")).toEqual([{ target_account_id: "https://a.example/users/new" }]);
  });
});

describe("a handle shown by two accounts at the same moment resolves to the later landed one", () => {
  it("youtube: @handle in a comment and in a video description", async () => {
    const thread = (id: string, channel: string, text: string) => ({
      kind: "youtube#commentThread",
      id,
      snippet: {
        channelId: "UCowner0000000000000000",
        videoId: "v1",
        topLevelComment: {
          kind: "youtube#comment",
          id,
          snippet: {
            videoId: "v1",
            textDisplay: text,
            textOriginal: text,
            authorDisplayName: "@same",
            authorChannelId: { value: channel },
            likeCount: 0,
            publishedAt: "2026-11-22T10:00:00Z",
            updatedAt: "2026-11-22T10:00:00Z",
          },
        },
      },
    });
    const threads = entity(youtube.entities, "comment_threads");
    await land(threads, [OLD, thread("c1", "UCold00000000000000000000", "first")], [NEW, thread("c2", "UCnew00000000000000000000", "second")]);
    await land(threads, [NEW, thread("c3", "UCthird000000000000000000", "hello @same")]);
    await land(entity(youtube.entities, "videos"), [
      NEW,
      { kind: "youtube#video", id: "v1", snippet: { publishedAt: "2026-11-21T10:00:00Z", channelId: "UCowner0000000000000000", title: "t", description: "thanks @same" } },
    ]);
    await buildModels(wh, "stg_youtube__videos stg_youtube__comment_threads");
    expect(await wh.all("select mentioned_account_ids from staging.stg_youtube__comment_threads where content_id = 'c3'")).toEqual([
      { mentioned_account_ids: ["UCnew00000000000000000000"] },
    ]);
    expect(await wh.all("select mentioned_account_ids from staging.stg_youtube__videos")).toEqual([{ mentioned_account_ids: ["UCnew00000000000000000000"] }]);
  });

  it("instagram: @username in a caption and in a comment", async () => {
    const media = (id: string, owner: string, caption: string, timestamp = "2026-11-22T10:00:00+0000") => ({
      id,
      caption,
      media_type: "IMAGE",
      media_product_type: "FEED",
      timestamp,
      owner: { id: owner },
      username: "same",
    });
    const mediaSpec = entity(instagram.entities, "media");
    await land(mediaSpec, [OLD, media("m1", "111", "first")], [NEW, media("m2", "222", "second")]);
    await land(mediaSpec, [NEW, { ...media("m3", "333", "hi @same", "2026-11-23T10:00:00+0000"), username: "other" }]);
    await land(entity(instagram.entities, "comments"), [
      NEW,
      { id: "k1", text: "@same nice", timestamp: "2026-11-23T11:00:00+0000", from: { id: "444", username: "fourth" }, media: { id: "m3" } },
    ]);
    await buildModels(wh, "stg_instagram__media stg_instagram__comments");
    expect(await wh.all("select mentioned_account_ids from staging.stg_instagram__media where content_id = 'm3'")).toEqual([{ mentioned_account_ids: ["222"] }]);
    expect(await wh.all("select mentioned_account_ids from staging.stg_instagram__comments")).toEqual([{ mentioned_account_ids: ["222"] }]);
  });
});
