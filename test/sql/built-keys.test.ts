// A key built by joining ids with a separator must tell two actions apart even when an id holds the separator:
// ids are free strings (pipelines/fields.ts zId takes any non-blank string), so `'like:' || user || ':' || tweet`
// gives a like by user "1:2" of tweet "3" and a like by user "1" of tweet "2:3" the same key `like:1:2:3`.
// Each case lands two such actions through the entity's real schema, builds the model, and expects both
// actions back as rows of their own, with two different interaction_ids. The keys themselves are not spelled
// out here (how the parts are escaped is the model's choice): only their count, distinctness and the
// actor / target / content columns of each row. `oldKey` says, for each case, how the two records collided
// when the key was the plain concatenation, and the test checks that they still do (the case tests something).
// A staging model computed from the new partitions (`reads_changed_since`) builds its key again to find the
// changed rows; it is run that way too (`changed_since` = the landing date) and must give the same rows.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { facebook } from "../../pipelines/networks/facebook.ts";
import { foursquare } from "../../pipelines/networks/foursquare.ts";
import { generic } from "../../pipelines/networks/generic.ts";
import { instagram } from "../../pipelines/networks/instagram.ts";
import { linkedin } from "../../pipelines/networks/linkedin.ts";
import { tiktok } from "../../pipelines/networks/tiktok.ts";
import { twitter } from "../../pipelines/networks/twitter.ts";
import { SOURCES } from "../../pipelines/registry.ts";
import type { EntitySpec, NetworkSpec } from "../../pipelines/types.ts";
import type { Warehouse } from "../../src/lib/warehouse.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import { loadProject } from "../../src/runner/project.ts";
import { buildModels, loadRaw, memoryWarehouse } from "../helpers/warehouse.ts";

/** An action as the model shows it; `content` is target_content_id. */
type Action = { actor: string; target: string | null; content: string | null };

interface Case {
  /** The model whose key is built, and the network whose entity lands the two records. */
  model: string;
  network: NetworkSpec;
  entity: string;
  /** Two records that the plain concatenation gave the same key. */
  records: [Record<string, unknown>, Record<string, unknown>];
  /** That plain concatenation, as the SQL wrote it, over a landed record. */
  oldKey: (r: any) => string;
  /** The actions the model must show: one per record (two per record for a mutual relation, staged both ways). */
  expected: Action[];
}

const entity = (network: NetworkSpec, name: string): EntitySpec<any> => network.entities.find((e) => e.entity === name)!;

/** Unit Separator, the character stg_generic__interactions joins the parts of its hashed key with. */
const US = String.fromCharCode(31);

const AT = "2026-11-23T10:00:00.000Z";
const AT_S = Date.UTC(2026, 10, 23, 10) / 1000;
const venue = { id: "4b0588f1f964a520d6c822e3", name: "Cafe", categories: [{ name: "Coffee Shop" }] };

const CASES: Case[] = [
  {
    model: "stg_twitter__likes",
    network: twitter,
    entity: "likes",
    records: [
      { user_id: "1:2", tweet_id: "3", created_at: AT },
      { user_id: "1", tweet_id: "2:3", created_at: AT },
    ],
    oldKey: (r) => `like:${r.user_id}:${r.tweet_id}`,
    expected: [
      { actor: "1", target: null, content: "2:3" },
      { actor: "1:2", target: null, content: "3" },
    ],
  },
  {
    model: "stg_twitter__follows",
    network: twitter,
    entity: "follows",
    records: [
      { source_user_id: "1:2", target_user_id: "3", created_at: AT },
      { source_user_id: "1", target_user_id: "2:3", created_at: AT },
    ],
    oldKey: (r) => `follow:${r.source_user_id}:${r.target_user_id}`,
    expected: [
      { actor: "1", target: "2:3", content: null },
      { actor: "1:2", target: "3", content: null },
    ],
  },
  {
    model: "stg_facebook__reactions",
    network: facebook,
    entity: "reactions",
    records: [
      { id: "2", name: "Ann", type: "LIKE", object_id: "10_1:1", created_time: "2026-11-23T10:00:00+0000" },
      { id: "1:2", name: "Ben", type: "LIKE", object_id: "10_1", created_time: "2026-11-23T10:00:00+0000" },
    ],
    oldKey: (r) => `reaction:${r.object_id}:${r.id}`,
    expected: [
      { actor: "1:2", target: null, content: "10_1" },
      { actor: "2", target: null, content: "10_1:1" },
    ],
  },
  {
    model: "stg_linkedin__connections",
    network: linkedin,
    entity: "connections",
    records: [
      { "Member URN": "urn:li:person:a", "Connection URN": "urn:li:person:b->c", "Connected On": "23 Nov 2026" },
      { "Member URN": "urn:li:person:a->b", "Connection URN": "urn:li:person:c", "Connected On": "23 Nov 2026" },
    ],
    oldKey: (r) => `${r["Member URN"].replace("urn:li:person:", "")}->${r["Connection URN"].replace("urn:li:person:", "")}`,
    // a connection is staged both ways: the two exported directions collided, the mirrored ones did not
    expected: [
      { actor: "a", target: "b->c", content: null },
      { actor: "a->b", target: "c", content: null },
      { actor: "b->c", target: "a", content: null },
      { actor: "c", target: "a->b", content: null },
    ],
  },
  {
    model: "stg_foursquare__checkins_with",
    network: foursquare,
    entity: "checkins",
    records: [
      { id: "c1", createdAt: AT_S, user: { id: "u0" }, venue, with: [{ id: "u:2" }] },
      { id: "c1:u", createdAt: AT_S, user: { id: "u0" }, venue, with: [{ id: "2" }] },
    ],
    oldKey: (r) => `${r.id}:${r.with[0].id}`,
    expected: [
      { actor: "u0", target: "2", content: "c1:u" },
      { actor: "u0", target: "u:2", content: "c1" },
    ],
  },
  {
    model: "stg_foursquare__friends",
    network: foursquare,
    entity: "friends",
    records: [
      { user: { id: "a" }, friend: { id: "b->c" }, createdAt: AT_S },
      { user: { id: "a->b" }, friend: { id: "c" }, createdAt: AT_S },
    ],
    oldKey: (r) => `${r.user.id}->${r.friend.id}`,
    // a friendship is staged both ways: the two listed directions collided, the mirrored ones did not
    expected: [
      { actor: "a", target: "b->c", content: null },
      { actor: "a->b", target: "c", content: null },
      { actor: "b->c", target: "a", content: null },
      { actor: "c", target: "a->b", content: null },
    ],
  },
  {
    model: "stg_instagram__follows",
    network: instagram,
    entity: "follows",
    records: [
      { follower_id: "1:2", followed_id: "3", timestamp: "2026-11-23T10:00:00+0000" },
      { follower_id: "1", followed_id: "2:3", timestamp: "2026-11-23T10:00:00+0000" },
    ],
    oldKey: (r) => `follow:${r.follower_id}:${r.followed_id}`,
    expected: [
      { actor: "1", target: "2:3", content: null },
      { actor: "1:2", target: "3", content: null },
    ],
  },
  {
    model: "stg_instagram__likes",
    network: instagram,
    entity: "likes",
    records: [
      { user_id: "2", media_id: "m:1", timestamp: "2026-11-23T10:00:00+0000" },
      { user_id: "1:2", media_id: "m", timestamp: "2026-11-23T10:00:00+0000" },
    ],
    // the media first, then the user
    oldKey: (r) => `like:${r.media_id}:${r.user_id}`,
    expected: [
      { actor: "1:2", target: null, content: "m" },
      { actor: "2", target: null, content: "m:1" },
    ],
  },
  {
    model: "stg_tiktok__shares",
    network: tiktok,
    entity: "shares",
    records: [
      { username: "ann:v", video_id: "7", create_time: AT_S },
      { username: "ann", video_id: "v:7", create_time: AT_S },
    ],
    oldKey: (r) => ["share", r.username, r.video_id, r.create_time].join(":"),
    expected: [
      { actor: "ann", target: null, content: "v:7" },
      { actor: "ann:v", target: null, content: "7" },
    ],
  },
  {
    model: "stg_tiktok__follows",
    network: tiktok,
    entity: "follows",
    records: [
      { follower_username: "ann:bob", following_username: "cy", create_time: AT_S },
      { follower_username: "ann", following_username: "bob:cy", create_time: AT_S },
    ],
    oldKey: (r) => ["follow", r.follower_username, r.following_username].join(":"),
    expected: [
      { actor: "ann", target: "bob:cy", content: null },
      { actor: "ann:bob", target: "cy", content: null },
    ],
  },
  {
    model: "stg_generic__interactions",
    network: generic,
    entity: "interactions",
    // No id of the source's own: the key is an md5 of the parts joined with the Unit Separator.
    records: [
      { network: "higgs", actor_id: "a", target_id: `t${US}c`, action: "reaction", content_id: "d", occurred_at: AT },
      { network: "higgs", actor_id: "a", target_id: "t", action: "reaction", content_id: `c${US}d`, occurred_at: AT },
    ],
    oldKey: (r) => [r.actor_id, r.action, r.target_id, r.content_id ?? "", String(Date.parse(r.occurred_at))].join(US),
    expected: [
      { actor: "a", target: "t", content: `c${US}d` },
      { actor: "a", target: `t${US}c`, content: "d" },
    ],
  },
];

let wh: Warehouse;
beforeEach(async () => {
  wh = await memoryWarehouse();
});
afterEach(() => wh.close());

/** The date every record lands on. */
const LANDED = "2026-11-24";

/** Land records through the entity's schema; every one must be accepted. */
async function land(spec: EntitySpec<any>, records: unknown[]): Promise<void> {
  expect((await loadRaw(wh, spec, records, { dt: LANDED })).rejects).toEqual([]);
}

const byActorTarget = (a: Action, b: Action) => `${a.actor}\n${a.target}\n${a.content}`.localeCompare(`${b.actor}\n${b.target}\n${b.content}`);

/** The actions of a query's rows, sorted, and how many distinct interaction_ids they have. */
async function actionsOf(sql: string): Promise<{ rows: number; ids: number; actions: Action[] }> {
  const rows = await wh.all<{ interaction_id: string; actor: string; target: string | null; content: string | null }>(sql);
  return {
    rows: rows.length,
    ids: new Set(rows.map((r) => r.interaction_id)).size,
    actions: rows.map(({ actor, target, content }) => ({ actor, target, content })).sort(byActorTarget),
  };
}

describe("two actions whose ids join to the same string keep two rows and two keys", () => {
  it.each(CASES.map((c) => [c.model, c] as const))("%s", async (_name, c) => {
    // the premise: the plain concatenation could not tell the two apart
    expect(c.oldKey(c.records[0])).toBe(c.oldKey(c.records[1]));
    // every table the model reads exists (the network's other entities, empty)
    for (const spec of c.network.entities) await land(spec, spec.entity === c.entity ? c.records : []);
    await buildModels(wh, c.model);
    const columns = "interaction_id, actor_account_id as actor, target_account_id as target, target_content_id as content";
    const got = await actionsOf(`select ${columns} from staging.${c.model}`);
    expect(got).toEqual({ rows: c.expected.length, ids: c.expected.length, actions: [...c.expected].sort(byActorTarget) });
    // a plain night on which both records are new: the key the changed rows are found by is the same key
    const model = loadProject(INSTALL_DIR).models.get(c.model)!;
    if (model.config.reads_changed_since) {
      await wh.run(`set variable changed_since = date '${LANDED}'`);
      try {
        expect(await actionsOf(`select ${columns} from (${model.sql})`)).toEqual(got);
      } finally {
        await wh.run("set variable changed_since = null::date");
      }
    }
  });

  it("int_interactions_unioned: mentions (twitter tweets mentioning accounts by id)", async () => {
    const tweet = (id: string, author: string, mentioned: string) => ({
      id,
      text: "hi @someone",
      author_id: author,
      created_at: AT,
      entities: { mentions: [{ start: 3, end: 11, username: "someone", id: mentioned }] },
    });
    const records = [tweet("7", "100", "8:9"), tweet("7:8", "200", "9")];
    const oldKey = (t: (typeof records)[number]) => `mention:${t.id}:${t.entities.mentions[0]!.id}`;
    expect(oldKey(records[0]!)).toBe(oldKey(records[1]!));
    // every source the upstream models read exists: all of them empty but the two tweets
    for (const network of Object.values(SOURCES)) {
      for (const spec of network.entities) await land(spec, spec === entity(twitter, "tweets") ? records : []);
    }
    await buildModels(wh, "+int_interactions_unioned");
    const got = await actionsOf(
      `select interaction_id, actor_account_id as actor, target_account_id as target, target_content_id as content
       from intermediate.int_interactions_unioned where action = 'mention'`,
    );
    expect(got).toEqual({
      rows: 2,
      ids: 2,
      actions: [
        { actor: "100", target: "8:9", content: null },
        { actor: "200", target: "9", content: null },
      ],
    });
  });
});
