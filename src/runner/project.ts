import fs from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { UserError, quote } from "../lib/errors.ts";
import { ident } from "../lib/warehouse.ts";

/**
 * A project is a folder `sql/` of models: `sql/<layer>/…/<model>.sql`, one model per file, the table name
 * is the file name and the schema is the layer. `sql/project.yml` declares the layers in build order with
 * each layer's default materialization; a sidecar `<model>.yml` beside a model may override it and
 * declares the model's data tests. Files named `assert_*.sql` are hand-written tests, not models.
 */

export const Materialization = z.enum(["view", "table", "merge", "incremental", "append", "cache", "pagerank"]);
export type Materialization = z.infer<typeof Materialization>;
export const Severity = z.enum(["error", "warn"]);
export type Severity = z.infer<typeof Severity>;

const LayerDefaults = z.object({ materialized: Materialization }).strict();
export const ProjectFile = z
  .object({
    name: z.string().optional(),
    /** Layers in build order; each is also the schema its models land in. */
    layers: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), LayerDefaults),
    /** Merge models whose table holds fewer rows than this are replaced whole: comparing costs more than writing. */
    merge_min_rows: z.number().int().min(0).optional(),
    /** Merge models that read changed_since and hold fewer rows than this are replaced whole: a tiny table is cheaper to
     *  recompute than to upsert. */
    changed_since_min_rows: z.number().int().min(0).optional(),
    /** A changed_keys model whose sources changed more keys than this share of its rows is computed whole instead
     *  (more than 1: never, which the tests use). */
    changed_keys_max_share: z.number().min(0).optional(),
    /** A test that may check only the rows written since it passed (a uniqueness test on a merge or incremental
     *  model, a row test on an incremental one) still checks every row on every n-th run (1: always every row). */
    partial_tests_whole_every: z.number().int().min(1).optional(),
  })
  .strict();

/** The default of `merge_min_rows` in sql/project.yml. */
export const MERGE_MIN_ROWS = 100_000;
/** The default of `changed_since_min_rows` in sql/project.yml. */
export const CHANGED_SINCE_MIN_ROWS = 10_000;
/** The default of `changed_keys_max_share` in sql/project.yml. */
export const CHANGED_KEYS_MAX_SHARE = 0.25;
/** The default of `partial_tests_whole_every` in sql/project.yml. */
export const PARTIAL_TESTS_WHOLE_EVERY = 7;

const sev = { severity: Severity.optional() };
/** A test on one column. */
const ColumnTest = z.union([
  z.enum(["not_null", "unique"]),
  z.object({ not_null: z.object(sev).strict().nullable() }).strict(),
  z.object({ unique: z.object(sev).strict().nullable() }).strict(),
  z.object({ accepted_values: z.object({ values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1), ...sev }).strict() }).strict(),
  z.object({ relationships: z.object({ to: z.string(), field: z.string(), ...sev }).strict() }).strict(),
  z.object({ expression: z.union([z.string(), z.object({ expr: z.string(), ...sev }).strict()]) }).strict(),
]);
export type ColumnTest = z.infer<typeof ColumnTest>;
/** A test on the whole model. */
const ModelTest = z.union([
  z.object({ unique_combination: z.union([z.array(z.string()).min(1), z.object({ columns: z.array(z.string()).min(1), ...sev }).strict()]) }).strict(),
  z.object({ expression: z.union([z.string(), z.object({ expr: z.string(), ...sev }).strict()]) }).strict(),
]);
export type ModelTest = z.infer<typeof ModelTest>;

export const ModelFile = z
  .object({
    description: z.string().optional(),
    materialized: Materialization.optional(),
    /** For incremental models: the DATE column whose one value a run replaces. */
    date_column: z.string().optional(),
    /** For append and merge models: the columns identifying a row (append: rows whose key is already present are never
     *  replaced; merge: rows are matched on it to find what changed). Optional for a cache model: with it, a night
     *  writes the cache by comparison (only new rows inserted, gone ones deleted) instead of rewriting it. */
    unique_key: z.array(z.string()).min(1).optional(),
    /** For merge models that read only the lake: on a night that only added partitions, the query is run with
     *  `getvariable('changed_since')` set to the first new date and must return every key whose row may have changed
     *  (README "The model runner"). */
    reads_changed_since: z.boolean().optional(),
    /** For reads_changed_since models whose keys new data can remove (a delete event landed since): a BOOLEAN column of
     *  the query. A row with it true is a tombstone: on a night computed from the new partitions its key's row is
     *  deleted and nothing inserted for it. The column is not stored, and a whole build keeps only the rows where it is
     *  not true (README "The model runner", sql/staging/README.md). */
    tombstone_column: z.string().regex(/^[a-z_][a-z0-9_]*$/).optional(),
    /** For merge models whose every row follows the rows of the models it reads that share these columns (a part of
     *  its unique_key, e.g. [network, content_id] for a union of content): on a night, the query is run with
     *  `getvariable('changed_keys')` set to the hashes of these columns over the rows those models wrote since this
     *  model's last build, and must return every row of those keys (README "The model runner", "Change logs"). */
    changed_keys: z.array(z.string()).min(1).optional(),
    /** For changed_keys models that read a merge model logged by other columns (the people of accounts, the days of a
     *  window, for a model of actions): per such source, the columns its log hashes (`log`), a logged source of this
     *  model that holds this model's changed_keys columns (`rows_of`), and the expressions over `rows_of`'s columns
     *  that equal `log` (`match`, one list per way a row can name a source key). On a night, the rows of `rows_of`
     *  that any `match` names among the source's changed keys are this model's changed keys too (README "Change logs"). */
    changed_keys_via: z
      .record(
        z.string(),
        z.object({ log: z.array(z.string()).min(1), rows_of: z.string(), match: z.array(z.array(z.string()).min(1)).min(1) }).strict(),
      )
      .optional(),
    /** Where the table lives, when not in its layer's schema (e.g. `meta` for the score calibration). */
    schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).optional(),
    /** For pagerank models: the iteration's parameters (the SQL gives the edges: graph, src, dst, weight). */
    pagerank: z.object({ damping: z.number().gt(0).lt(1).optional(), tol: z.number().positive().optional(), max_iter: z.number().int().positive().optional() }).strict().optional(),
    columns: z
      .record(
        z.string(),
        z
          .object({
            description: z.string().optional(),
            /** A DuckDB type (e.g. `varchar`, `uhugeint`, `varchar[]`); required on every column of a cache model. */
            data_type: z.string().regex(/^[a-z][a-z0-9_]*(\(\d+(, ?\d+)?\))?(\[\])*$/i, "a DuckDB type name such as varchar, decimal(18, 3) or varchar[]").optional(),
            tests: z.array(ColumnTest).optional(),
          })
          .strict()
          .nullable(),
      )
      .optional(),
    tests: z.array(ModelTest).optional(),
  })
  .strict();
export type ModelFile = z.infer<typeof ModelFile>;

export interface Model {
  name: string;
  layer: string;
  /** The schema holding the table: the layer, unless the model's .yml says `schema:`. */
  schema: string;
  /** Path relative to the project folder, e.g. sql/marts/fct_x.sql. */
  file: string;
  /** The statement the table holds. The same as `query`, except for a tombstone_column model: its rows where that
   *  column is not true, without the column. */
  sql: string;
  /** The model's statement as written. */
  query: string;
  materialized: Materialization;
  dateColumn: string | undefined;
  /** The leading `--` comment of the SQL file: what it is, its grain and key. */
  header: string;
  config: ModelFile;
}

export interface SqlTest {
  name: string;
  file: string;
  sql: string;
  severity: Severity;
  header: string;
}

export interface Project {
  dir: string;
  sqlDir: string;
  layers: { name: string; materialized: Materialization }[];
  /** Merge models whose table holds fewer rows are replaced whole (project.yml `merge_min_rows`). */
  mergeMinRows: number;
  /** reads_changed_since models whose table holds fewer rows are replaced whole (project.yml `changed_since_min_rows`). */
  changedSinceMinRows: number;
  /** changed_keys models whose sources changed more keys than this share of their rows are computed whole (project.yml `changed_keys_max_share`). */
  changedKeysMaxShare: number;
  /** A test checking only the rows written since it passed (a uniqueness test, or a row test on an incremental model) checks every row on every n-th run (project.yml `partial_tests_whole_every`). */
  partialTestsWholeEvery: number;
  models: Map<string, Model>;
  sqlTests: SqlTest[];
}

const NAME = /^[a-z_][a-z0-9_]*$/;

/** What a tombstone_column model's table holds: its query's rows where the column is not true, without the column. */
export function withoutTombstones(query: string, column: string): string {
  return `select * exclude (${ident(column)}) from (\n${query}\n) as __clout_q where __clout_q.${ident(column)} is not true`;
}

function readYaml<T>(file: string, schema: z.ZodType<T>, dir: string): T {
  let raw: unknown;
  const rel = path.relative(dir, file);
  try {
    raw = parseYaml(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new UserError(`cannot parse ${quote(rel)}: ${(err as Error).message.split("\n")[0]}`, "fix the YAML syntax");
  }
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new UserError(`invalid ${quote(rel)}: ${z.prettifyError(parsed.error).replace(/\n/g, " ")}`, "see README.md, \"The model runner\", for the model file format");
  }
  return parsed.data;
}

/** The SQL file's leading comment lines, without the `--`. */
export function headerOf(sql: string): string {
  const lines: string[] = [];
  for (const line of sql.split(/\r?\n/)) {
    const t = line.trim();
    if (t.startsWith("--")) lines.push(t.replace(/^--\s?/, ""));
    else if (t === "" && lines.length === 0) continue;
    else break;
  }
  return lines.join("\n").trim();
}

/** The model's SELECT without a trailing semicolon. */
export function statementOf(sql: string): string {
  return sql.replace(/;\s*(--[^\n]*\s*)*$/u, "").trimEnd();
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.isFile() && entry.name.endsWith(".sql")) out.push(full);
  }
  return out;
}

type UniqueTest = Extract<ColumnTest, "unique" | { unique: unknown }>;
type UniqueCombination = Extract<ModelTest, { unique_combination: unknown }>["unique_combination"];

/** Whether a column test is `unique` (bare, or with options such as a severity). */
export function isUniqueTest(test: ColumnTest): test is UniqueTest {
  return test === "unique" || (typeof test === "object" && "unique" in test);
}

/** The columns of a `unique_combination` model test, written as a list or as `{columns}`. */
export function combinationColumns(spec: UniqueCombination): string[] {
  return Array.isArray(spec) ? spec : spec.columns;
}

/** Does the model's .yml test that `key` is unique: a `unique` test on its one column, or a `unique_combination` of its columns? */
/** Whether a test holds the key unique: a uniqueness test on the key's columns or on some of them (which is stronger). */
function hasUniquenessTest(config: ModelFile, key: string[]): boolean {
  const within = (cols: string[]) => cols.length > 0 && cols.every((c) => key.includes(c));
  if ((config.tests ?? []).some((t) => "unique_combination" in t && within(combinationColumns(t.unique_combination)))) return true;
  return key.some((k) => (config.columns?.[k]?.tests ?? []).some(isUniqueTest));
}

/** Load the project in `dir` (the folder holding `sql/`). */
export function loadProject(dir: string): Project {
  const sqlDir = path.join(dir, "sql");
  const projectFile = path.join(sqlDir, "project.yml");
  if (!fs.existsSync(projectFile)) {
    throw new UserError(`no models found: ${quote(projectFile)} does not exist`, "point --project at the folder holding sql/project.yml");
  }
  const pf = readYaml(projectFile, ProjectFile, dir);
  const layers = Object.entries(pf.layers).map(([name, d]) => ({ name, materialized: d.materialized }));
  const models = new Map<string, Model>();
  const sqlTests: SqlTest[] = [];
  for (const layer of layers) {
    const layerDir = path.join(sqlDir, layer.name);
    if (!fs.existsSync(layerDir)) continue;
    for (const file of walk(layerDir)) {
      const rel = path.relative(dir, file);
      const name = path.basename(file, ".sql");
      const sql = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
      if (name.startsWith("assert_")) {
        const header = headerOf(sql);
        const severity = /^severity:\s*warn\b/im.test(header) ? "warn" : "error";
        sqlTests.push({ name, file: rel, sql: statementOf(sql), severity, header });
        continue;
      }
      if (!NAME.test(name)) {
        throw new UserError(`model file ${quote(rel)} has an invalid name`, "model names are lowercase letters, digits and underscores, starting with a letter");
      }
      const existing = models.get(name);
      if (existing) {
        throw new UserError(`model ${quote(name)} is defined twice: ${quote(existing.file)} and ${quote(rel)}`, "a model name is its table name and must be unique across layers");
      }
      const ymlFile = file.replace(/\.sql$/, ".yml");
      const config = fs.existsSync(ymlFile) ? readYaml(ymlFile, ModelFile, dir) : {};
      const materialized = config.materialized ?? layer.materialized;
      if (materialized === "incremental" && !config.date_column) {
        throw new UserError(`incremental model ${quote(name)} has no date_column`, `add \`date_column: <column>\` to ${path.relative(dir, ymlFile)}`);
      }
      if ((materialized === "append" || materialized === "merge") && !config.unique_key) {
        throw new UserError(`${materialized} model ${quote(name)} has no unique_key`, `add \`unique_key: [<column>, …]\` to ${path.relative(dir, ymlFile)}`);
      }
      if ((materialized === "merge" || (materialized === "cache" && config.unique_key)) && !hasUniquenessTest(config, config.unique_key!)) {
        const key = config.unique_key!;
        throw new UserError(
          `${materialized} model ${quote(name)} has no uniqueness test on its unique_key [${key.join(", ")}]`,
          `a ${materialized} matches rows by that key, so it must be tested: add ${key.length === 1 ? `\`tests: [unique]\` to column ${key[0]}` : `\`- unique_combination: [${key.join(", ")}]\` under tests:`} in ${path.relative(dir, ymlFile)}`,
        );
      }
      if (config.reads_changed_since) {
        if (materialized !== "merge") {
          throw new UserError(`${materialized} model ${quote(name)} sets reads_changed_since`, `only a merge model can be computed from the new partitions; remove it from ${path.relative(dir, ymlFile)}`);
        }
        if (!/getvariable\(\s*'changed_since'\s*\)/.test(sql)) {
          throw new UserError(
            `merge model ${quote(name)} sets reads_changed_since but its SQL never reads getvariable('changed_since')`,
            "limit its source to the keys that can change since that date (sql/staging/README.md), or remove reads_changed_since",
          );
        }
        if (/getvariable\(\s*'run_date'\s*\)/.test(sql)) {
          throw new UserError(`merge model ${quote(name)} sets reads_changed_since but reads getvariable('run_date')`, "a model whose rows depend on the run date must be computed whole: remove reads_changed_since");
        }
      }
      if (config.tombstone_column) {
        const rel = path.relative(dir, ymlFile);
        const col = config.tombstone_column;
        if (!config.reads_changed_since) {
          throw new UserError(`model ${quote(name)} sets tombstone_column without reads_changed_since`, `tombstones remove keys on a night computed from the new partitions; set reads_changed_since too or remove tombstone_column from ${rel}`);
        }
        if (config.unique_key!.includes(col)) {
          throw new UserError(`merge model ${quote(name)}'s tombstone_column ${quote(col)} is in its unique_key`, `the tombstone column says whether a key's row is gone; it is not part of the key: fix ${rel}`);
        }
        if (!new RegExp(`\\b${col}\\b`).test(sql)) {
          throw new UserError(`merge model ${quote(name)} sets tombstone_column ${quote(col)} but its SQL never names it`, `return a boolean column ${col}, true for a key whose row is gone (sql/staging/README.md), or remove tombstone_column from ${rel}`);
        }
      }
      if (config.changed_keys_via && !config.changed_keys) {
        throw new UserError(`model ${quote(name)} sets changed_keys_via without changed_keys`, `changed_keys_via says how other sources name this model's changed_keys; set both or neither in ${path.relative(dir, ymlFile)}`);
      }
      if (config.changed_keys) {
        const rel = path.relative(dir, ymlFile);
        if (materialized !== "merge") {
          throw new UserError(`${materialized} model ${quote(name)} sets changed_keys`, `only a merge model can be computed from what its sources changed; remove it from ${rel}`);
        }
        if (config.reads_changed_since) {
          throw new UserError(`merge model ${quote(name)} sets both reads_changed_since and changed_keys`, `a model reads either the lake's new partitions or its models' changed keys; keep one in ${rel}`);
        }
        const outside = config.changed_keys.filter((c) => !config.unique_key!.includes(c));
        if (outside.length > 0) {
          throw new UserError(
            `merge model ${quote(name)}'s changed_keys name ${outside.map(quote).join(", ")}, not in its unique_key [${config.unique_key!.join(", ")}]`,
            `changed_keys are the part of the key a row shares with the source rows it follows; fix ${rel}`,
          );
        }
        if (!/getvariable\(\s*'changed_keys'\s*\)/.test(sql)) {
          throw new UserError(
            `merge model ${quote(name)} sets changed_keys but its SQL never reads getvariable('changed_keys')`,
            `limit its result to the rows whose hash(${config.changed_keys.join(", ")}) is in getvariable('changed_keys') when it is set (README "Change logs"), or remove changed_keys`,
          );
        }
        for (const [source, via] of Object.entries(config.changed_keys_via ?? {})) {
          const bad = via.match.filter((m) => m.length !== via.log.length);
          if (bad.length > 0) {
            throw new UserError(
              `merge model ${quote(name)}'s changed_keys_via ${quote(source)} matches [${bad[0]!.join(", ")}] against a log of [${via.log.join(", ")}]`,
              `give each match one expression per column of log, in its order; fix ${rel}`,
            );
          }
        }
        if (/getvariable\(\s*'run_date'\s*\)/.test(sql)) {
          throw new UserError(`merge model ${quote(name)} sets changed_keys but reads getvariable('run_date')`, "a model whose rows depend on the run date must be computed whole: remove changed_keys");
        }
      }
      if (materialized === "cache") {
        const cols = Object.entries(config.columns ?? {});
        const untyped = cols.filter(([, c]) => !c?.data_type).map(([n]) => n);
        if (cols.length === 0 || untyped.length > 0) {
          throw new UserError(
            `cache model ${quote(name)} must declare every column with its data_type${untyped.length > 0 ? ` (missing on ${untyped.join(", ")})` : ""}`,
            `list its columns under \`columns:\` in ${path.relative(dir, ymlFile)}, each with \`data_type: <DuckDB type>\`: the runner creates the empty table from them on the first run`,
          );
        }
      }
      const query = statementOf(sql);
      models.set(name, {
        name,
        layer: layer.name,
        schema: config.schema ?? layer.name,
        file: rel,
        sql: config.tombstone_column ? withoutTombstones(query, config.tombstone_column) : query,
        query,
        materialized,
        dateColumn: config.date_column,
        header: headerOf(sql),
        config,
      });
    }
  }
  return { dir, sqlDir, layers, mergeMinRows: pf.merge_min_rows ?? MERGE_MIN_ROWS, changedSinceMinRows: pf.changed_since_min_rows ?? CHANGED_SINCE_MIN_ROWS,
    changedKeysMaxShare: pf.changed_keys_max_share ?? CHANGED_KEYS_MAX_SHARE,
    partialTestsWholeEvery: pf.partial_tests_whole_every ?? PARTIAL_TESTS_WHOLE_EVERY,
    models,
    sqlTests,
  };
}
