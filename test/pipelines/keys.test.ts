// The fields a partial night filters on can never land NULL (sql/staging/README.md, "Filter on columns that are
// never NULL"). A staging model computed from the new partitions keeps the rows whose key is `in` the changed
// keys; `NULL in (…)` is not true, so a record landed with a NULL key would be kept by a whole build and silently
// left out of a partial one. For every lake entity such a model reads, each key field set to null, removed, empty or
// blank must be rejected at ingest; and every entity such a model reads must be listed here.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAPPING, genericSpec } from "../../pipelines/networks/generic.ts";
import { SOURCES } from "../../pipelines/registry.ts";
import type { EntitySpec } from "../../pipelines/types.ts";
import { validateRecord } from "../../pipelines/validate.ts";
import { INSTALL_DIR } from "../../src/lib/paths.ts";
import type { Context } from "../../src/cli/context.ts";
import { removeTempDirs } from "../helpers/warehouse.ts";
import { exportRecords, sampleWorld } from "../helpers/world.ts";

type Case = { network: string; entity: string; keys: string[][]; where?: { label: string; test: (r: Record<string, unknown>) => boolean } };

/** Each entity a `reads_changed_since` model filters, with the record fields its filter columns come from. */
const CASES: Case[] = [
  { network: "twitter", entity: "tweets", keys: [["id"]] },
  { network: "twitter", entity: "users", keys: [["id"]] },
  { network: "twitter", entity: "likes", keys: [["user_id"], ["tweet_id"]] },
  { network: "twitter", entity: "follows", keys: [["source_user_id"], ["target_user_id"]] },
  { network: "facebook", entity: "posts", keys: [["id"]] },
  { network: "facebook", entity: "comments", keys: [["id"]] },
  { network: "facebook", entity: "reactions", keys: [["id"], ["object_id"]] },
  { network: "facebook", entity: "shares", keys: [["id"]] },
  { network: "facebook", entity: "friends", keys: [["id"]] },
  { network: "foursquare", entity: "checkins", keys: [["id"]] },
  { network: "foursquare", entity: "tips", keys: [["id"]] },
  { network: "foursquare", entity: "likes", keys: [["id"]] },
  { network: "foursquare", entity: "friends", keys: [["user", "id"], ["friend", "id"], ["user"], ["friend"]] },
  { network: "instagram", entity: "media", keys: [["id"]] },
  { network: "instagram", entity: "comments", keys: [["id"]] },
  { network: "instagram", entity: "likes", keys: [["user_id"], ["media_id"]] },
  { network: "instagram", entity: "follows", keys: [["follower_id"], ["followed_id"]] },
  { network: "linkedin", entity: "posts", keys: [["id"]] },
  { network: "linkedin", entity: "comments", keys: [["id"]] },
  { network: "linkedin", entity: "reactions", keys: [["id"]] },
  { network: "linkedin", entity: "connections", keys: [["Member URN"], ["Connection URN"]] },
  { network: "mastodon", entity: "activities", keys: [["id"], ["object", "id"], ["object"]], where: { label: "Create", test: (r) => r.type === "Create" } },
  { network: "mastodon", entity: "activities", keys: [["id"], ["object"]], where: { label: "Follow", test: (r) => r.type === "Follow" } },
  { network: "reddit", entity: "submissions", keys: [["id"]] },
  { network: "reddit", entity: "comments", keys: [["id"]] },
  { network: "tiktok", entity: "videos", keys: [["id"]] },
  { network: "tiktok", entity: "comments", keys: [["id"]] },
  { network: "tiktok", entity: "shares", keys: [["username"], ["video_id"], ["create_time"]] },
  { network: "tiktok", entity: "follows", keys: [["follower_username"], ["following_username"]] },
  { network: "youtube", entity: "videos", keys: [["id"]] },
  { network: "youtube", entity: "comment_threads", keys: [["snippet", "topLevelComment", "id"], ["snippet", "topLevelComment"]] },
  { network: "youtube", entity: "subscriptions", keys: [["id"]] },
  // stg_bluesky__posts and stg_bluesky__interactions (twenty-sixth session): every event naming a record landed since,
  // by did + collection + rkey, deletes included
  { network: "bluesky", entity: "events", keys: [["did"], ["commit", "collection"], ["commit", "rkey"], ["commit"]], where: { label: "create", test: (r) => (r.commit as { operation?: string } | undefined)?.operation === "create" } },
  { network: "bluesky", entity: "events", keys: [["did"], ["commit", "collection"], ["commit", "rkey"], ["commit"]], where: { label: "delete", test: (r) => (r.commit as { operation?: string } | undefined)?.operation === "delete" } },
  // stg_identities__links filters on dt alone (every delivery landed since), but its rows replace the table's by
  // (network, account_id), which a NULL could never match: a partial night would keep the old row beside the new
  { network: "identities", entity: "identities", keys: [["network"], ["account_id"]] },
];

let world: Context;
beforeAll(async () => {
  // big enough that every entity has records (at 400 people Reddit had no comments)
  world = await sampleWorld({ people: 1500, days: 5, end: "2026-11-24", seed: 11 });
}, 120_000);
afterAll(() => removeTempDirs());

const specOf = (network: string, entity: string): EntitySpec<any> => SOURCES[network as keyof typeof SOURCES].entities.find((e) => e.entity === entity)!;

/** The first record of an entity in the generated world's exports that `where` accepts. */
function firstRecord(c: Case): Record<string, unknown> {
  const found = exportRecords(world, c.network, c.entity)
    .flat()
    .find((r) => c.where?.test(r) ?? true);
  if (!found) throw new Error(`no ${c.network} ${c.entity} record in the sample world`);
  return found;
}

function withField(record: Record<string, unknown>, at: string[], value: unknown, remove: boolean): Record<string, unknown> {
  const copy = structuredClone(record);
  let cur: Record<string, unknown> = copy;
  for (const k of at.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  if (remove) delete cur[at.at(-1)!];
  else cur[at.at(-1)!] = value;
  return copy;
}

describe("the key fields a partial night filters on", () => {
  it("every lake entity a reads_changed_since model filters is listed here", () => {
    const listed = new Set([...CASES.map((c) => `${c.network}__${c.entity}`), "generic__interactions"]);
    const staging = path.join(INSTALL_DIR, "sql", "staging");
    const read = new Set<string>();
    for (const network of fs.readdirSync(staging)) {
      const dir = path.join(staging, network);
      if (!fs.statSync(dir).isDirectory()) continue;
      for (const yml of fs.readdirSync(dir).filter((f) => f.endsWith(".yml"))) {
        if (!/^reads_changed_since:\s*true\s*$/m.test(fs.readFileSync(path.join(dir, yml), "utf8"))) continue;
        const sql = fs.readFileSync(path.join(dir, yml.replace(/\.yml$/, ".sql")), "utf8");
        const source = /^source as \(\s*select \* from raw\.(\w+)/m.exec(sql);
        expect(source, `${yml}: a source CTE reading raw.*`).not.toBeNull();
        read.add(source![1]!);
      }
    }
    expect(read.size).toBeGreaterThanOrEqual(30);
    expect([...read].filter((t) => !listed.has(t))).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.network} ${c.entity}${c.where ? ` (${c.where.label})` : ""}: null, missing, empty or blank keys are rejected`, () => {
      const spec = specOf(c.network, c.entity);
      const base = firstRecord(c);
      expect(validateRecord(spec, base).ok).toBe(true);
      // CSV cells are strings: a missing column or an empty or blank cell; JSON also has null
      const variants: [string, unknown, boolean][] =
        spec.format === "csv" ? [["empty", "", false], ["blank", "  ", false], ["missing", undefined, true]] : [["null", null, false], ["missing", undefined, true], ["empty", "", false], ["blank", " ", false]];
      const accepted: string[] = [];
      for (const at of c.keys) {
        for (const [label, value, remove] of variants) {
          if (validateRecord(spec, withField(base, at, value, remove)).ok) accepted.push(`${at.join(".")} ${label}`);
        }
      }
      expect(accepted).toEqual([]);
    });
  }

  it("generic interactions: the network and a post's content id are required; a missing interaction id becomes a hash", () => {
    const spec = genericSpec(DEFAULT_MAPPING);
    const like = { network: "twitter", interaction_id: "", actor_id: "a1", target_id: "t1", action: "reaction", occurred_at: "2026-03-01T00:00:00Z", content_id: "", text: "" };
    expect(validateRecord(spec, like).ok).toBe(true);
    for (const network of ["", "  ", undefined]) expect(validateRecord(spec, { ...like, network }).ok).toBe(false);
    expect(validateRecord(spec, { ...like, action: "post", target_id: "", content_id: "" }).ok).toBe(false);
    expect(validateRecord(spec, { ...like, action: "post", target_id: "", content_id: "c1" }).ok).toBe(true);
    // the model's filter: coalesce(interaction_id, md5(…)), never NULL (sql/staging/generic/stg_generic__interactions.sql)
    expect(fs.readFileSync(path.join(INSTALL_DIR, "sql", "staging", "generic", "stg_generic__interactions.sql"), "utf8")).toMatch(/coalesce\(\s*interaction_id,\s*md5\(/);
  });
});
