import path from "node:path";
import { Command } from "commander";
import { DEFAULT_SEED_FILE, importKlout, loadTopicSources } from "../../../pipelines/topics.ts";
import { UserError, quote } from "../../lib/errors.ts";
import { Warehouse } from "../../lib/warehouse.ts";
import { contextOf } from "../context.ts";
import { count } from "../output.ts";

interface TreeRow extends Record<string, unknown> {
  level: number;
  topic_id: string;
  slug: string;
  display_name: string;
}

const SHOWN_REJECTS = 20;

function importCommand(): Command {
  return new Command("import")
    .description("validate Klout's published topic ontology and land it in the lake (merged into the taxonomy at the next build)")
    .requiredOption("--klout <dir>", "folder holding klout_topic_ontology_<date>.csv and klout_topic_edge_<date>.csv (read only)")
    .option("--reject-threshold <rate>", "refuse the import when more than this share of a file's lines is malformed", "0.05")
    .action(async (flags: { klout: string; rejectThreshold: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const threshold = Number(flags.rejectThreshold);
      if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
        throw new UserError(`invalid --reject-threshold ${quote(flags.rejectThreshold)}`, "a share between 0 and 1, e.g. 0.05 for 5%");
      }
      const r = await importKlout({ dir: path.resolve(flags.klout), lakeDir: ctx.layout.lake, rejectThreshold: threshold });
      ctx.out.line(`klout ontology ${r.version} from ${path.resolve(flags.klout)}`);
      for (const [what, f] of [
        ["topics", r.topics],
        ["edges", r.edges],
      ] as const) {
        ctx.out.line(`  ${what.padEnd(6)} ${count(f.accepted).padStart(7)} accepted  ${count(f.rejected)} rejected  (${path.basename(f.file)})`);
        for (const x of f.rejects.slice(0, SHOWN_REJECTS)) ctx.out.line(`    rejected line ${x.line}: ${x.reason}`);
        if (f.rejects.length > SHOWN_REJECTS) ctx.out.line(`    … and ${count(f.rejects.length - SHOWN_REJECTS)} more rejected lines`);
      }
      ctx.out.line(`landed ${r.out.topics}`);
      ctx.out.line(`landed ${r.out.edges}`);
    });
}

function listCommand(): Command {
  return new Command("list")
    .description("print the topic tree (Clout's seed, plus Klout's ontology once imported); a topic with several parents shows under each")
    .option("--parent <slug>", "only the subtree under this topic")
    .option("--depth <n>", "levels to show below the top (or below --parent)")
    .action(async (flags: { parent?: string; depth?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const depth = flags.depth === undefined ? 64 : Number(flags.depth);
      if (!Number.isInteger(depth) || depth < 1) throw new UserError(`invalid --depth ${quote(flags.depth)}`, "a whole number of levels, 1 or more");
      // The taxonomy is small: build it in memory rather than wait on (or lock) the warehouse file.
      const wh = await Warehouse.open({ path: ":memory:", threads: ctx.config.threads });
      try {
        const loaded = await loadTopicSources(wh, { seedFile: DEFAULT_SEED_FILE, lakeDir: ctx.layout.lake });
        let startIds: string[];
        if (flags.parent !== undefined) {
          const parent = await wh.one<{ topic_id: string }>("select topic_id from topics.taxonomy where slug = $1", [flags.parent]);
          if (!parent) {
            const near = await wh.one<{ slug: string }>("select slug from topics.taxonomy order by levenshtein(slug, $1), slug limit 1", [flags.parent]);
            throw new UserError(`no topic with slug ${quote(flags.parent)}`, near ? `did you mean ${quote(near.slug)}? \`clout topics list\` shows every slug` : "`clout topics list` shows every slug");
          }
          startIds = [parent.topic_id];
        } else {
          startIds = (await wh.all<{ topic_id: string }>("select topic_id from topics.taxonomy where topic_id not in (select child_id from topics.edges)")).map((r) => r.topic_id);
        }
        const tree = await wh.all<TreeRow>(
          `with recursive walk(level, topic_id, sort_path) as (
               select 0, t.topic_id, [t.display_name]
               from topics.taxonomy as t where list_contains($1::json::varchar[], t.topic_id)
               union all
               select w.level + 1, e.child_id, list_append(w.sort_path, c.display_name)
               from walk as w
               join topics.edges as e on e.parent_id = w.topic_id
               join topics.taxonomy as c on c.topic_id = e.child_id
               where w.level < $2
           )
           select w.level, t.topic_id, t.slug, t.display_name
           from walk as w join topics.taxonomy as t using (topic_id)
           order by w.sort_path`,
          [JSON.stringify(startIds), flags.parent !== undefined ? depth : depth - 1],
        );
        for (const r of tree) ctx.out.line(`${"  ".repeat(r.level)}${r.slug}  ${r.display_name}  [${r.topic_id}]`);
        ctx.out.line(`${count(loaded.topics)} topics (${count(loaded.cloutTopics)} Clout, ${count(loaded.kloutTopics)} Klout-only), ${count(loaded.edges)} parent links${loaded.klout ? "" : "; Klout's ontology not imported (`clout topics import --klout DIR`)"}`);
      } finally {
        wh.close();
      }
    });
}

/** `clout topics import|list`: Klout's ontology into the lake, and the taxonomy as a tree. */
export function topicsCommand(): Command {
  const c = new Command("topics").description("the topic taxonomy: import Klout's ontology, print the tree");
  for (const sub of [importCommand(), listCommand()]) c.addCommand(sub.exitOverride().showHelpAfterError(`(run \`clout topics ${sub.name()} --help\` for usage)`));
  return c;
}
