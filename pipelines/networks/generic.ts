import fs from "node:fs";
import { z } from "zod";
import { UserError, quote } from "../../src/lib/errors.ts";
import { epochMillisToMs, epochSecondsToMs, hashtagsIn, isoToMs, zId } from "../fields.ts";
import { ACTIONS, RecordError, type Column, type EntitySpec, type NetworkSpec } from "../types.ts";

/**
 * The generic interactions input: `data/exports/generic/<date>/interactions.(csv|tsv|jsonl)`, one row
 * per action, for any source that is not one of the ten networks (SNAP Higgs, Klout samples, …).
 *
 * Canonical fields: network, actor_id, target_id, action, occurred_at, content_id?, text? (and
 * interaction_id?, when the source has its own ids). A file already written with those header names,
 * canonical action names and ISO times loads with the default mapping. A foreign file needs a
 * `GenericMapping`: from CLI flags (`parseGenericFlags`) or a small JSON file (`loadGenericConfig`).
 *
 * How a row reaches the schema. The ingest engine splits CSV/TSV lines (delimiter, quoting, header)
 * and hands `genericSpec(mapping).schema` one object per line:
 *   - a file with a header → keyed by header name. A column is named by its header; a leading `#`
 *     (Klout writes `#user_id_fingerprint`) may be left out, so `actor_id=actor_id_fingerprint` finds
 *     the `#actor_id_fingerprint` column whether or not the engine strips the `#`;
 *   - a header-less file → keyed by 1-based position strings "1", "2", …; a column is named by its
 *     position (a number), e.g. `actor_id=1`;
 *   - JSON Lines → the parsed object; columns are its top-level keys.
 * Names are only allowed with a header (or JSONL) and positions only without one, so a mapping can
 * never silently read the wrong cell. The engine reads `delimiter`/`header` from the spec's `mapping`
 * (no delimiter: the engine's default by extension, `,` for .csv, tab for .tsv).
 *
 * Every action value must be in the action mapping (or, without one, already a canonical action):
 * an unknown value rejects the row naming the value, so a new code in a source is seen, not guessed.
 * A source without an action column takes a constant (`--action reaction`), and one without a network
 * column a constant network name. `post` rows are content (they land in stg_generic__content); every
 * other action is an interaction (stg_generic__interactions).
 */

/** The canonical fields a column mapping may name. */
export const GENERIC_FIELDS = ["network", "actor_id", "target_id", "action", "occurred_at", "content_id", "text", "interaction_id"] as const;
export type GenericField = (typeof GENERIC_FIELDS)[number];

/** Canonical actions a source value may map to: the interaction actions plus `post`. */
export const GENERIC_ACTIONS = [...ACTIONS, "post"] as const;
export type GenericAction = (typeof GENERIC_ACTIONS)[number];

export const TIME_FORMATS = ["iso", "epoch_s", "epoch_ms"] as const;

/** A network name: not limited to the ten networks, since a generic source may be anything. */
const NETWORK_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** A source column: a header name (or JSON key), or a 1-based position in a header-less file. */
const ColumnRef = z.union([z.string().min(1, "empty column name"), z.number().int().positive("a position is 1-based")]);

export const GenericMapping = z
  .object({
    format: z.enum(["csv", "jsonl"]).default("csv"),
    /** One character. Omitted: by the file's extension, `,` for .csv and tab for .tsv. Ignored for jsonl. */
    delimiter: z.string().length(1, "the delimiter is one character").optional(),
    /** Does the first line name the columns? Ignored for jsonl. */
    header: z.boolean().default(true),
    /** Canonical field → source column. Omitted: each field is read from the column of its own name. */
    columns: z.partialRecord(z.enum(GENERIC_FIELDS), ColumnRef).optional(),
    /** Source action value → canonical action. Omitted: values must already be canonical. */
    actions: z.record(z.string().min(1), z.enum(GENERIC_ACTIONS)).optional(),
    /** A constant action for sources that have no action column (Klout: every row is a reaction). */
    action: z.enum(GENERIC_ACTIONS).optional(),
    /** A constant network name for sources that have no network column. */
    network: z.string().regex(NETWORK_NAME, "a network name is lowercase letters, digits and _").optional(),
    time: z.enum(TIME_FORMATS).default("iso"),
  })
  .strict()
  .superRefine((m, ctx) => {
    const cols = resolvedColumns(m);
    for (const f of ["actor_id", "target_id", "occurred_at"] as const) {
      if (cols[f] === undefined) ctx.addIssue({ code: "custom", path: ["columns", f], message: `no column for ${f}` });
    }
    if (m.network !== undefined && m.columns?.network !== undefined) {
      ctx.addIssue({ code: "custom", path: ["network"], message: "give the network as a constant or as a column, not both" });
    }
    if (cols.network === undefined && m.network === undefined) {
      ctx.addIssue({ code: "custom", path: ["network"], message: "no network: map a network column or give a constant network" });
    }
    if (m.action !== undefined && (m.columns?.action !== undefined || m.actions !== undefined)) {
      ctx.addIssue({ code: "custom", path: ["action"], message: "a constant action excludes an action column and an action mapping" });
    }
    if (cols.action === undefined && m.action === undefined) {
      ctx.addIssue({ code: "custom", path: ["action"], message: "no action: map an action column or give a constant action" });
    }
    const positional = m.format === "csv" && !m.header;
    for (const [field, ref] of Object.entries(cols)) {
      if (positional && typeof ref === "string") {
        ctx.addIssue({ code: "custom", path: ["columns", field], message: `${quote(`${field}=${ref}`)}: a header-less file has no column names, give a 1-based position` });
      }
      if (!positional && typeof ref === "number") {
        ctx.addIssue({ code: "custom", path: ["columns", field], message: `${quote(`${field}=${ref}`)}: positions are for header-less csv files, name the column` });
      }
    }
  });
export type GenericMapping = z.infer<typeof GenericMapping>;

/** The columns a mapping reads, after defaults: each field from its own name unless mapped or constant. */
function resolvedColumns(m: Pick<GenericMapping, "columns" | "network" | "action">): Partial<Record<GenericField, string | number>> {
  if (m.columns) return m.columns;
  const cols: Partial<Record<GenericField, string>> = Object.fromEntries(GENERIC_FIELDS.map((f) => [f, f]));
  if (m.network !== undefined) delete cols.network;
  if (m.action !== undefined) delete cols.action;
  return cols;
}

/** The default mapping: a file already in the canonical format. */
export const DEFAULT_MAPPING: GenericMapping = GenericMapping.parse({});

const HINT =
  "a mapping names the columns and codes, e.g. --no-header --columns actor_id=1,target_id=2,occurred_at=3,action=4 --actions RT=repost --network twitter --time epoch_s";

function checked(raw: unknown, where: string): GenericMapping {
  const parsed = GenericMapping.safeParse(raw);
  if (!parsed.success) {
    const reasons = parsed.error.issues.slice(0, 3).map((i) => {
      // zod does not repeat the bad value; look it up so the message quotes it.
      const value = i.path.reduce<unknown>((o, k) => (o !== null && typeof o === "object" ? (o as Record<PropertyKey, unknown>)[k] : undefined), raw);
      const got = value !== undefined && typeof value !== "object" && i.code !== "custom" ? ` (got ${quote(value)})` : "";
      return `${i.path.join(".") || "(mapping)"}: ${i.message}${got}`;
    });
    throw new UserError(`invalid generic mapping ${where}: ${reasons.join("; ")}`, HINT);
  }
  return parsed.data;
}

/** Options as commander hands them (`--no-header` → header: false), or as argv tokens. */
export interface GenericFlags {
  format?: string;
  delimiter?: string;
  header?: boolean;
  /** `field=column,…`: a column is a header name or, with --no-header, a 1-based position. */
  columns?: string;
  /** `VALUE=action,…` */
  actions?: string;
  action?: string;
  network?: string;
  time?: string;
}

const DELIMITER_NAMES: Record<string, string> = { tab: "\t", "\\t": "\t", space: " ", comma: ",", semicolon: ";", pipe: "|" };

/** `a=b,c=d` → [["a","b"],["c","d"]], with the flag named in errors. */
function pairs(flag: string, value: string): [string, string][] {
  return value.split(",").map((part) => {
    const eq = part.indexOf("=");
    if (eq <= 0 || eq === part.length - 1) {
      throw new UserError(`--${flag}: ${quote(part)} is not KEY=VALUE`, `write --${flag} as KEY=VALUE pairs separated by commas`);
    }
    return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()];
  });
}

const VALUE_FLAGS = ["format", "delimiter", "columns", "actions", "action", "network", "time"] as const;

/** argv tokens (`--delimiter ' ' --no-header …`) → GenericFlags. */
function flagsOf(argv: string[]): GenericFlags {
  const flags: GenericFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    const eq = tok.indexOf("=");
    const name = tok.startsWith("--") ? tok.slice(2, eq > 0 ? eq : undefined) : "";
    if (name === "header" || name === "no-header") {
      flags.header = name === "header";
      continue;
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) {
      throw new UserError(`unknown generic option ${quote(tok)}`, `options: --${VALUE_FLAGS.join(", --")}, --header, --no-header`);
    }
    const value = eq > 0 ? tok.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UserError(`option ${quote(tok)} needs a value`, HINT);
    flags[name as (typeof VALUE_FLAGS)[number]] = value;
  }
  return flags;
}

/**
 * CLI options → a mapping, e.g. Higgs: `--delimiter ' ' --no-header --columns
 * actor_id=1,target_id=2,occurred_at=3,action=4 --actions RT=repost,MT=mention,RE=reply --network twitter
 * --time epoch_s`. Throws UserError naming the bad value.
 */
export function parseGenericFlags(input: GenericFlags | string[]): GenericMapping {
  const flags = Array.isArray(input) ? flagsOf(input) : input;
  const raw: Record<string, unknown> = {};
  if (flags.format !== undefined) raw.format = flags.format;
  if (flags.delimiter !== undefined) raw.delimiter = DELIMITER_NAMES[flags.delimiter] ?? flags.delimiter;
  if (flags.header !== undefined) raw.header = flags.header;
  if (flags.action !== undefined) raw.action = flags.action;
  if (flags.network !== undefined) raw.network = flags.network;
  if (flags.time !== undefined) raw.time = flags.time;
  if (flags.columns !== undefined) {
    const cols: Record<string, string | number> = {};
    for (const [field, col] of pairs("columns", flags.columns)) {
      if (!(GENERIC_FIELDS as readonly string[]).includes(field)) {
        throw new UserError(`--columns: unknown field ${quote(field)}`, `fields: ${GENERIC_FIELDS.join(", ")}`);
      }
      cols[field] = /^\d+$/.test(col) ? Number(col) : col;
    }
    raw.columns = cols;
  }
  if (flags.actions !== undefined) {
    const actions: Record<string, string> = {};
    for (const [value, action] of pairs("actions", flags.actions)) {
      if (!(GENERIC_ACTIONS as readonly string[]).includes(action)) {
        throw new UserError(`--actions: ${quote(value)} maps to unknown action ${quote(action)}`, `actions: ${GENERIC_ACTIONS.join(", ")}`);
      }
      actions[value] = action;
    }
    raw.actions = actions;
  }
  return checked(raw, "in the flags");
}

/** The same mapping as a small JSON file: `{"delimiter": " ", "header": false, "columns": {"actor_id": 1, …}, …}`. */
export function loadGenericConfig(file: string): GenericMapping {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(`cannot read generic mapping ${quote(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, "check the path");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(`cannot parse generic mapping ${quote(file)}: ${(err as Error).message}`, "the mapping file is one JSON object");
  }
  return checked(raw, `in ${quote(file)}`);
}

/** One source row in canonical terms (times in epoch ms). */
export interface GenericRecord {
  network: string;
  actor_id: string;
  target_id: string | null;
  action: GenericAction;
  source_action: string | null;
  occurred_at: number;
  content_id: string | null;
  text: string | null;
  interaction_id: string | null;
}

const TIME_PARSERS: Record<GenericMapping["time"], (v: string | number) => number> = {
  iso: (v) => {
    if (typeof v !== "string") throw new RecordError(`time ${JSON.stringify(v)} is not ISO 8601`);
    return isoToMs(v);
  },
  epoch_s: epochSecondsToMs,
  epoch_ms: epochMillisToMs,
};

/** Reads one cell; a header name also matches a header written with a leading `#`. */
function reader(ref: string | number): (row: Record<string, unknown>) => unknown {
  if (typeof ref === "number") return (row) => row[String(ref)];
  const bare = ref.replace(/^#/, "");
  let key: string | undefined;
  return (row) => {
    if (key !== undefined && key in row) return row[key];
    key = [ref, `#${bare}`, bare].find((k) => k in row);
    return key === undefined ? undefined : row[key];
  };
}

/** zId, but with an empty/absent cell reported as missing. */
function idOf(v: unknown): string | null {
  if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return null;
  const parsed = zId.safeParse(typeof v === "string" ? v.trim() : v);
  if (!parsed.success) throw new RecordError(`${JSON.stringify(v)} is not an id`);
  return parsed.data;
}

function textOf(v: unknown): string | null {
  if (v === undefined || v === null || v === "") return null;
  return typeof v === "string" ? v : String(v);
}

const generic_columns: Column[] = [
  { name: "network", type: "VARCHAR", doc: "network name, from the row or the mapping's constant" },
  { name: "interaction_id", type: "VARCHAR", doc: "the source's own id for the action, when it has one" },
  { name: "actor_id", type: "VARCHAR", doc: "who acted (for post: the author)" },
  { name: "target_id", type: "VARCHAR", doc: "whose account or content was acted on (null for post)" },
  { name: "action", type: "VARCHAR", doc: "canonical action: an interaction action or post" },
  { name: "source_action", type: "VARCHAR", doc: "the action value as the source wrote it (null for a constant action)" },
  { name: "occurred_at", type: "TIMESTAMPTZ", doc: "when it happened, UTC" },
  { name: "content_id", type: "VARCHAR", doc: "the content acted on (for post: the post itself)" },
  { name: "text", type: "VARCHAR", doc: "text of the action, if any" },
  { name: "hashtags", type: "VARCHAR[]", doc: "hashtags in text, lowercased" },
];

/** The `interactions` entity under a mapping. The engine reads `mapping.delimiter` / `mapping.header`. */
export function genericSpec(mapping: GenericMapping): EntitySpec<GenericRecord> & { mapping: GenericMapping } {
  const cols = resolvedColumns(mapping);
  const cell = Object.fromEntries(Object.entries(cols).map(([f, ref]) => [f, reader(ref)])) as Partial<Record<GenericField, ReturnType<typeof reader>>>;
  const toTime = TIME_PARSERS[mapping.time];
  const known = mapping.actions ? Object.keys(mapping.actions) : [...GENERIC_ACTIONS];

  const schema = z.record(z.string(), z.unknown()).transform((row, ctx): GenericRecord => {
    let failed = false;
    const fail = (field: string, message: string) => {
      failed = true;
      ctx.addIssue({ code: "custom", path: [field], message });
    };
    const get = (f: GenericField) => cell[f]?.(row);
    const attempt = <T>(field: string, fn: () => T): T | undefined => {
      try {
        return fn();
      } catch (e) {
        if (!(e instanceof RecordError)) throw e;
        fail(field, e.message);
        return undefined;
      }
    };

    let network = mapping.network ?? null;
    if (network === null) {
      const v = textOf(get("network"))?.trim().toLowerCase() ?? "";
      if (!NETWORK_NAME.test(v)) fail("network", v ? `network ${JSON.stringify(v)} is not a network name` : "missing");
      else network = v;
    }

    let action = mapping.action ?? null;
    let source_action: string | null = null;
    if (action === null) {
      source_action = textOf(get("action"))?.trim() ?? null;
      if (source_action === null) fail("action", "missing");
      else {
        action = mapping.actions ? (mapping.actions[source_action] ?? null) : ((GENERIC_ACTIONS as readonly string[]).includes(source_action) ? (source_action as GenericAction) : null);
        if (action === null) fail("action", `unknown action ${JSON.stringify(source_action)} (mapped: ${known.join(", ")})`);
      }
    }

    const actor_id = attempt("actor_id", () => idOf(get("actor_id")));
    if (actor_id === null) fail("actor_id", "missing");
    const target_id = attempt("target_id", () => idOf(get("target_id")));
    // A post has an author but no target; every other action needs one.
    if (target_id === null && action !== null && action !== "post") fail("target_id", "missing");
    const content_id = attempt("content_id", () => idOf(get("content_id")));
    if (content_id === null && action === "post") fail("content_id", "a post needs a content_id");
    const interaction_id = attempt("interaction_id", () => idOf(get("interaction_id")));

    const t = get("occurred_at");
    let occurred_at: number | undefined;
    if (t === undefined || t === null || t === "") fail("occurred_at", "missing");
    else if (typeof t !== "string" && typeof t !== "number") fail("occurred_at", `time ${JSON.stringify(t)} is not a ${mapping.time} time`);
    else occurred_at = attempt("occurred_at", () => toTime(typeof t === "string" ? t.trim() : t));

    if (failed) return z.NEVER;
    return {
      network: network!,
      actor_id: actor_id!,
      target_id: target_id ?? null,
      action: action!,
      source_action,
      occurred_at: occurred_at!,
      content_id: content_id ?? null,
      text: textOf(get("text")),
      interaction_id: interaction_id ?? null,
    };
  });

  return {
    network: "generic",
    entity: "interactions",
    format: mapping.format,
    mapping,
    schema,
    columns: generic_columns,
    toRow: (r) => [r.network, r.interaction_id, r.actor_id, r.target_id, r.action, r.source_action, r.occurred_at, r.content_id, r.text, hashtagsIn(r.text)],
  };
}

/** The generic source with the default mapping (a file already in the canonical format). */
export const generic: NetworkSpec = {
  name: "generic",
  entities: [genericSpec(DEFAULT_MAPPING)],
};
