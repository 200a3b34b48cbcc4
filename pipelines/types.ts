import type { z } from "zod";

/**
 * The contract between a network's export format and the landing pipeline.
 *
 * A network module (pipelines/networks/<network>.ts) exports one `EntitySpec` per export file. Ingest
 * reads the file line by line (JSON Lines, or CSV with a header for `format: "csv"`), validates each record
 * with `schema` (zod; unknown extra fields are tolerated and ignored, missing required ones rejected), and
 * lands `toRow(record)` as one typed row of `columns` in
 * data/lake/raw/<network>/<entity>/dt=<date>/. A record that fails `schema` — or whose `toRow` throws a
 * `RecordError` — goes to data/lake/rejects/… with the reason.
 *
 * Landed columns keep the network's own field names (nested fields flattened with `__`, e.g.
 * `public_metrics__like_count`), typed: ids are VARCHAR (ids can exceed 2^63), counts BIGINT, times
 * TIMESTAMPTZ in UTC. Every landed table also gets `_source_file` and `_source_line`.
 */
export const NETWORKS = [
  "twitter",
  "facebook",
  "linkedin",
  "foursquare",
  "youtube",
  "instagram",
  "tiktok",
  "reddit",
  "mastodon",
  "bluesky",
] as const;
export type Network = (typeof NETWORKS)[number];

/** The two inputs that are not networks: identity links and the generic interactions format. */
export const OTHER_SOURCES = ["identities", "generic"] as const;
export type Source = Network | (typeof OTHER_SOURCES)[number];

export type ColumnType = "VARCHAR" | "BIGINT" | "DOUBLE" | "BOOLEAN" | "TIMESTAMPTZ" | "VARCHAR[]";

/**
 * The JS value `toRow` gives for each column type (null allowed for any):
 * VARCHAR → string; BIGINT → number (safe integer) ; DOUBLE → number; BOOLEAN → boolean;
 * TIMESTAMPTZ → number, epoch **milliseconds** UTC (finite); VARCHAR[] → string[].
 */
export type CellValue = string | number | boolean | string[] | null;

export interface Column {
  name: string;
  type: ColumnType;
  /** One line: what it holds, in the network's terms. */
  doc?: string;
}

export interface EntitySpec<T = unknown> {
  network: Source;
  /** The export file's base name: data/exports/<network>/<date>/<entity>.jsonl[.gz] (or .csv). */
  entity: string;
  format: "jsonl" | "csv";
  /** One record as the network writes it (after JSON.parse, or a CSV row as {header: string}). */
  schema: z.ZodType<T>;
  /** The landed columns, in order. */
  columns: Column[];
  /** One valid record → one row, values in `columns` order. Throw RecordError for a semantic reject. */
  toRow(record: T): CellValue[];
}

/** A record that parses but cannot be landed (an impossible date, say); its message becomes the reject reason. */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RecordError";
  }
}

/** Canonical content types and actions (see sql/staging/README.md). */
export const CONTENT_TYPES = ["post", "reply", "comment", "repost", "quote", "video", "checkin", "tip"] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];
export const ACTIONS = ["repost", "quote", "reply", "comment", "mention", "reaction", "share", "follow", "subscribe", "checkin_with"] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * What the sample-world generator says happened, in canonical terms; each network module turns it into
 * that network's raw export records (`NetworkSpec.emit`). Times are epoch milliseconds UTC.
 */
export type WorldEvent =
  | {
      kind: "account";
      network: Network;
      accountId: string;
      handle: string;
      displayName: string;
      createdAtMs: number;
      followerCount: number;
      followingCount: number;
      verified: boolean;
    }
  | {
      kind: "content";
      network: Network;
      contentId: string;
      accountId: string;
      /** The author's handle, for networks whose exports name authors by handle (Reddit). */
      handle: string;
      createdAtMs: number;
      contentType: ContentType;
      /** Plain text with #hashtags and @handle mentions already written into it. */
      text: string;
      hashtags: string[];
      mentions: { accountId: string; handle: string }[];
      /**
       * What it replies to / comments on / reposts / quotes / checks in with. `rootContentId` is the thread's
       * root (a Reddit submission, a TikTok video) when the parent is itself a comment.
       */
      parent?: { contentId: string; accountId: string; handle: string; rootContentId?: string };
      /** Title for videos / submissions, if the network has one. */
      title?: string;
      /** Extra topic evidence: subreddit, venue category, video tags (lowercase words). */
      topicHints: string[];
    }
  | {
      kind: "interaction";
      network: Network;
      interactionId: string;
      actorAccountId: string;
      actorHandle: string;
      targetAccountId: string;
      targetHandle: string;
      /** The content acted on; absent for follow / subscribe. */
      targetContentId?: string;
      action: Action;
      /** For reactions: the network's own reaction type, lowercase (like, love, praise, favourite…). */
      reactionType?: string;
      occurredAtMs: number;
    }
  | {
      /** Bluesky only: the author deletes a record it created earlier (post, like, repost, follow). */
      kind: "delete";
      network: Network;
      accountId: string;
      /** The id of the deleted content or interaction, as given in the earlier event. */
      deletedId: string;
      occurredAtMs: number;
    };

/** One raw record for one export file of a network. */
export interface Emitted {
  entity: string;
  record: Record<string, unknown>;
}

export interface NetworkSpec {
  name: Source;
  entities: EntitySpec<any>[];
  /** What this network's exports can carry; the generator only produces these. */
  supports?: { contentTypes: ContentType[]; actions: Action[]; accounts: boolean; deletes: boolean };
  /** Canonical event → raw records in this network's export shapes (empty when it has no such thing). */
  emit?: (event: WorldEvent) => Emitted[];
}
