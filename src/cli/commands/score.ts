import { Command, InvalidArgumentError, Option } from "commander";
import { parseDate } from "../../lib/dates.ts";
import { UserError, quote } from "../../lib/errors.ts";
import type { Warehouse } from "../../lib/warehouse.ts";
import { contextOf, type Context } from "../context.ts";
import { count, table } from "../output.ts";
import { openPublished } from "./sql.ts";

/**
 * Terminal views over the published datasets (data/published/*.parquet, through `openPublished`): they
 * never open the warehouse, so they work while a nightly runs, and they show what was last published.
 *   clout score <person>   a person's score card
 *   clout top              a leaderboard: overall, per network, per topic
 * Every value a person types reaches SQL as a parameter.
 */

type Row = Record<string, unknown>;

async function withPublished<T>(ctx: Context, need: string[], fn: (wh: Warehouse, views: Set<string>) => Promise<T>): Promise<T> {
  const { wh, views } = await openPublished(ctx);
  try {
    const have = new Set(views);
    const missing = need.filter((v) => !have.has(v));
    if (missing.length > 0) {
      throw new UserError(`the published datasets lack ${missing.map((m) => `${m}.parquet`).join(", ")}`, "run `clout nightly` to publish the marts");
    }
    return await fn(wh, have);
  } finally {
    wh.close();
  }
}

/** The date to show: --date if given (it must have rows), else the latest date of `view`. */
async function scoreDateOf(wh: Warehouse, view: string, date: string | undefined): Promise<string> {
  const r = await wh.one<{ first: string | null; last: string | null; has: boolean }>(
    `select strftime(min(score_date), '%Y-%m-%d') as first, strftime(max(score_date), '%Y-%m-%d') as last,
            coalesce(bool_or(score_date = $1::date), false) as has
     from "${view}"`,
    [date ?? null],
  );
  if (!r?.last) throw new UserError(`no scores published yet (${view} is empty)`, "run `clout nightly` first");
  if (date === undefined) return r.last;
  if (!r.has) throw new UserError(`no scores for --date ${quote(date)}`, `the published scores cover ${r.first}..${r.last}`);
  return date;
}

const signed = (v: number, digits = 1) => `${v > 0 ? "+" : v < 0 ? "−" : "±"}${Math.abs(v).toFixed(digits)}`;
const list = (v: unknown) => (Array.isArray(v) ? v.join(", ") : v === null || v === undefined ? "" : String(v));
const indent = (lines: string[], by = "  ") => lines.map((l) => `${by}${l}`);

// ---------------------------------------------------------------------------------------------------
// clout score <person>

interface Candidate extends Row {
  person_id: string;
  display_name: string;
  networks: string[];
  handles: string[] | null;
  score: number | null;
}

/**
 * A person_id (exact, else case-insensitive), or a handle (with or without @) or display name,
 * case-insensitive, of the person or any of their accounts.
 */
async function findPerson(wh: Warehouse, who: string, date: string): Promise<Candidate> {
  const q = who.trim();
  if (q === "") throw new UserError("no person given", "give a person id, a handle or a name, e.g. `clout score @ana_587`");
  const candidates = await wh.all<Candidate & { how: number }>(
    `with
     q as (select $1::varchar as raw, lower($1::varchar) as low, lower(regexp_replace($1::varchar, '^@', '')) as handle),
     by_id as (
         select p.person_id, case when p.person_id = q.raw then 0 else 1 end as how
         from dim_people as p, q
         where lower(p.person_id) = q.low
     ),
     by_name as (
         select p.person_id, 2 as how from dim_people as p, q where lower(p.display_name) = q.low
         union
         select a.person_id, 2 from dim_accounts as a, q where lower(a.handle) = q.handle or lower(a.display_name) = q.low
     ),
     matched as (
         select person_id, min(how) as how from (select * from by_id union all select * from by_name) group by person_id
     )
     select m.person_id, m.how, p.display_name, p.networks, p.handles, s.score
     from matched as m
     join dim_people as p using (person_id)
     left join fct_person_scores as s on s.person_id = m.person_id and s.score_date = $2::date
     order by m.how, s.score desc nulls last, m.person_id`,
    [q, date],
  );
  const best = candidates.filter((c) => c.how === candidates[0]?.how);
  // an exact id wins outright; a case-insensitive id too, unless it is itself ambiguous
  if (best.length === 1) return best[0]!;
  if (best.length > 1) {
    const rows = best.slice(0, 20).map((c) => ({
      person_id: c.person_id,
      name: c.display_name,
      networks: list(c.networks),
      handles: list((c.handles ?? []).map((h) => `@${h}`)),
      score: c.score === null ? "-" : Number(c.score).toFixed(1),
    }));
    throw new AmbiguousPerson(who, best.length, table(rows, 50), best[0]!.person_id);
  }
  const close = await wh.all<{ label: string }>(
    `with q as (select lower(regexp_replace($1::varchar, '^@', '')) as q),
     names as (
         select '@' || handle as label, lower(handle) as name from dim_accounts where handle is not null
         union
         select display_name, lower(display_name) from dim_people
     )
     select label from names, q
     where jaro_winkler_similarity(name, q.q) >= 0.8 or (length(q.q) >= 3 and contains(name, q.q))
     order by jaro_winkler_similarity(name, q.q) desc, label
     limit 5`,
    [q],
  );
  throw new UserError(
    `no person matches ${quote(who)}`,
    close.length > 0
      ? `did you mean ${close.map((c) => quote(c.label)).join(", ")}? (a person id, a handle or a display name; \`clout top\` lists the leaders)`
      : "give a person id (like p0123 or twitter:1000012345), a handle or a display name; `clout top` lists the leaders",
  );
}

/** Several people match: the CLI prints the list, then the error. */
export class AmbiguousPerson extends UserError {
  readonly list: string[];
  constructor(who: string, n: number, list: string[], example: string) {
    super(`${quote(who)} matches ${n} people`, `give one of their person ids, e.g. \`clout score ${example}\``);
    this.list = list;
  }
}

const COMPONENT_MEANING: Record<string, string> = {
  true_reach: "people who actually act on the content, each counted once (an effective number of engaged people)",
  amplification: "how much each post moves that audience: engaged people per post, shrunk toward the network's average",
  network_score: "how influential the engaged audience is: PageRank × accounts, 1 = an average account",
};

async function scoreCard(wh: Warehouse, views: Set<string>, who: string, date: string | undefined): Promise<string[]> {
  const d = await scoreDateOf(wh, "fct_person_scores", date);
  const person = await findPerson(wh, who, d);
  const pid = person.person_id;
  const s = await wh.one<Row>(
    `select score, score_change, true_reach, amplification, network_score, scored_networks, rank, percentile, model_version, is_provisional,
            (select count(*) from fct_person_scores where score_date = $2::date) as people
     from fct_person_scores where person_id = $1 and score_date = $2::date`,
    [pid, d],
  );
  if (!s) throw new UserError(`${quote(pid)} has no score on ${d}`, "the person was first seen after that night; try without --date");
  const out: string[] = [];
  const handles = (person.handles ?? []).map((h) => `@${h}`);
  out.push(`${person.display_name}  (${pid})`);
  out.push(`networks: ${list(person.networks) || "-"}${handles.length ? `   handles: ${handles.join(", ")}` : ""}`);
  out.push("");
  const score = Number(s.score);
  const change = Number(s.score_change);
  out.push(`Clout Score ${score.toFixed(1)}   ${signed(change)} since the day before`);
  let calibration = s.is_provisional ? "calibration provisional (the first nights of a model version: scores settle when it is frozen)" : "calibration frozen";
  if (!s.is_provisional && views.has("score_calibration")) {
    const c = await wh.one<{ on: string | null }>(
      "select strftime(min(calibrated_on)::date, '%Y-%m-%d') as on from score_calibration where model_version = $1",
      [String(s.model_version)],
    );
    if (c?.on) calibration = `calibration frozen on ${c.on}`;
  }
  const pctile = Number(s.percentile);
  const p = pctile >= 99 && pctile < 100 ? pctile.toFixed(2) : pctile.toFixed(1);
  out.push(`rank ${count(Number(s.rank))} of ${count(Number(s.people))} · percentile ${p} (${p}% of the people scored that day score lower)`);
  out.push(`score date ${d} · model ${String(s.model_version)} · ${calibration}`);

  // why it changed
  out.push("", "why it changed");
  if (views.has("fct_score_explanations")) {
    const factors = await wh.all<{ factor: string; contribution: number }>(
      `select factor, contribution from fct_score_explanations
       where person_id = $1 and score_date = $2::date and abs(contribution) >= 0.05
       order by abs(contribution) desc, factor limit 5`,
      [pid, d],
    );
    if (factors.length === 0) out.push(`  ${Math.abs(change) < 0.05 ? "no change worth showing since the day before" : "no single factor moved it by 0.05 or more"}`);
    for (const f of factors) out.push(`  ${signed(Number(f.contribution)).padStart(6)}  ${f.factor}`);
  } else out.push("  (fct_score_explanations is not published)");

  // components
  out.push("", "components");
  for (const [key, label] of [["true_reach", "true reach"], ["amplification", "amplification"], ["network_score", "network score"]] as const) {
    out.push(`  ${label.padEnd(14)} ${Number(s[key]).toFixed(2).padStart(8)}   ${COMPONENT_MEANING[key]}`);
  }

  // networks
  out.push("", "networks (subscore: the 1–100 score this network alone would give)");
  const nets = await wh.all<Row>(
    `select a.network, coalesce('@' || d.handle, a.account_id) as account, round(a.network_subscore, 1) as subscore,
            round(a.true_reach, 2) as true_reach, round(a.amplification, 2) as amplification, round(a.network_score, 2) as network_score, a.posts
     from fct_account_scores as a
     left join dim_accounts as d using (network, account_id)
     where a.person_id = $1 and a.score_date = $2::date
     order by a.network_subscore desc, a.network, a.account_id`,
    [pid, d],
  );
  out.push(...indent(nets.length ? table(nets) : ["(no account with posts or an engaged audience in the window)"]));

  // topics
  if (views.has("fct_topic_affinity") && views.has("dim_topics")) {
    const topics = await wh.all<Row>(
      `select t.slug as topic, t.display_name as name, round(100 * f.affinity, 1) || '%' as affinity, round(f.topic_score, 1) as topic_score, f.topic_rank as rank
       from fct_topic_affinity as f join dim_topics as t using (topic_id)
       where f.person_id = $1 and f.score_date = $2::date
       order by f.affinity desc, f.topic_score desc, t.slug limit 5`,
      [pid, d],
    );
    out.push("", "top topics");
    out.push(...indent(topics.length ? table(topics) : ["(no topic evidence in the window)"]));
  }

  // moments
  if (views.has("fct_moments")) {
    const moments = await wh.all<Row>(
      `select network, engaged_people as engaged, coalesce(nullif(regexp_replace(text, '\\s+', ' ', 'g'), ''), '(' || coalesce(content_type, 'content') || ' ' || content_id || ')') as moment
       from fct_moments where person_id = $1 and score_date = $2::date
       order by moment_rank limit 3`,
      [pid, d],
    );
    out.push("", "top moments (engaged: distinct people who engaged)");
    out.push(...indent(moments.length ? table(moments, 70) : ["(nothing engaged with in the window)"]));
  }
  return out;
}

export function scoreCommand(): Command {
  return new Command("score")
    .description("a person's score card: score, change and why, components, networks, topics, moments (from the published datasets)")
    .argument("<person>", "a person id, a handle (@ optional) or a display name (case-insensitive)")
    .option("-d, --date <date>", "the score date (default: the latest published)")
    .action(async (who: string, opts: { date?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const date = opts.date === undefined ? undefined : parseDate(opts.date);
      const lines = await withPublished(ctx, ["fct_person_scores", "dim_people", "dim_accounts", "fct_account_scores"], async (wh, views) => {
        try {
          return await scoreCard(wh, views, who, date);
        } catch (err) {
          if (err instanceof AmbiguousPerson) for (const l of err.list) ctx.out.line(l);
          throw err;
        }
      });
      for (const l of lines) ctx.out.line(l);
    });
}

// ---------------------------------------------------------------------------------------------------
// clout top

const FORMATS = ["table", "csv", "json"] as const;
type Format = (typeof FORMATS)[number];

function positiveInt(v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1 || Number(v) > 100_000) throw new InvalidArgumentError("expected a whole number from 1 to 100000");
  return Number(v);
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderRows(rows: Row[], format: Format, columns: string[]): string {
  if (format === "json") return `${JSON.stringify(rows, null, 2)}\n`;
  if (format === "csv") return `${[columns.join(","), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(","))].join("\n")}\n`;
  return rows.length === 0 ? "(no rows)\n" : `${table(rows, 50).join("\n")}\n`;
}

interface TopFlags {
  topic?: string;
  network?: string;
  limit: number;
  date?: string;
  format: Format;
}

async function resolveTopic(wh: Warehouse, t: string): Promise<{ topic_id: string; slug: string; display_name: string }> {
  const hit = await wh.one<{ topic_id: string; slug: string; display_name: string }>(
    `select topic_id::varchar as topic_id, slug, display_name from dim_topics
     where topic_id::varchar = $1 or lower(slug) = lower($1) or lower(display_name) = lower($1)
     order by (topic_id::varchar = $1) desc, (lower(slug) = lower($1)) desc limit 1`,
    [t.trim()],
  );
  if (hit) return hit;
  const close = await wh.all<{ slug: string }>(
    `with q as (select lower(trim($1::varchar)) as q)
     select slug from dim_topics, q
     order by greatest(jaro_winkler_similarity(lower(slug), q.q), jaro_winkler_similarity(lower(display_name), q.q),
                       case when length(q.q) >= 3 and contains(lower(slug), q.q) then 0.95 else 0 end) desc, slug
     limit 5`,
    [t],
  );
  throw new UserError(
    `unknown topic ${quote(t)}`,
    `close slugs: ${close.map((c) => c.slug).join(", ")}; give a topic slug or id (clout sql -c "select topic_id, slug from dim_topics" lists them)`,
  );
}

async function leaderboard(wh: Warehouse, flags: TopFlags): Promise<{ title: string; rows: Row[]; columns: string[] }> {
  if (flags.topic !== undefined && flags.network !== undefined) {
    throw new UserError("give --topic or --network, not both", "topic scores are per person across networks: `clout top --topic T`, or `clout top --network N`");
  }
  if (flags.network !== undefined) {
    const d = await scoreDateOf(wh, "fct_account_scores", flags.date);
    const nets = await wh.all<{ network: string }>("select distinct network from fct_account_scores where score_date = $1::date order by network", [d]);
    const network = nets.find((n) => n.network === flags.network!.trim().toLowerCase())?.network;
    if (!network) {
      throw new UserError(`no scores for network ${quote(flags.network)} on ${d}`, `the networks scored that day: ${nets.map((n) => n.network).join(", ") || "none"}`);
    }
    const rows = await wh.all<Row>(
      `select rank() over (order by a.network_subscore desc) as rank, a.person_id, p.display_name as name, d.handle,
              round(a.network_subscore, 1) as subscore, round(a.true_reach, 2) as true_reach,
              round(a.amplification, 2) as amplification, round(a.network_score, 2) as network_score
       from fct_account_scores as a
       left join dim_people as p using (person_id)
       left join dim_accounts as d using (network, account_id)
       where a.score_date = $1::date and a.network = $2
       order by a.network_subscore desc, a.person_id, a.account_id
       limit $3`,
      [d, network, flags.limit],
    );
    return { title: `top ${rows.length} on ${network} by network subscore, ${d}`, rows, columns: ["rank", "person_id", "name", "handle", "subscore", "true_reach", "amplification", "network_score"] };
  }
  if (flags.topic !== undefined) {
    const d = await scoreDateOf(wh, "fct_topic_affinity", flags.date);
    const topic = await resolveTopic(wh, flags.topic);
    const rows = await wh.all<Row>(
      `select f.topic_rank as rank, f.person_id, p.display_name as name, round(f.topic_score, 1) as topic_score,
              round(f.affinity, 3) as affinity, round(s.score, 1) as score
       from fct_topic_affinity as f
       left join dim_people as p using (person_id)
       left join fct_person_scores as s on s.person_id = f.person_id and s.score_date = f.score_date
       where f.score_date = $1::date and f.topic_id::varchar = $2
       order by f.topic_rank, f.topic_score desc, f.person_id
       limit $3`,
      [d, topic.topic_id, flags.limit],
    );
    return { title: `top ${rows.length} in ${topic.display_name} (${topic.slug}) by topic score, ${d}`, rows, columns: ["rank", "person_id", "name", "topic_score", "affinity", "score"] };
  }
  const d = await scoreDateOf(wh, "fct_person_scores", flags.date);
  const rows = await wh.all<Row>(
    `select s.rank, s.person_id, p.display_name as name, round(s.score, 1) as score, round(s.score_change, 1) as change,
            array_to_string(s.scored_networks, ' ') as networks, round(s.percentile, 1) as percentile
     from fct_person_scores as s
     left join dim_people as p using (person_id)
     where s.score_date = $1::date
     order by s.score desc, s.person_id
     limit $2`,
    [d, flags.limit],
  );
  return { title: `top ${rows.length} by Clout Score, ${d}`, rows, columns: ["rank", "person_id", "name", "score", "change", "networks", "percentile"] };
}

export function topCommand(): Command {
  return new Command("top")
    .description("a leaderboard from the published datasets: overall, per network (--network) or per topic (--topic)")
    .option("-t, --topic <topic>", "rank by topic score in this topic (a slug or topic id)")
    .option("-n, --network <network>", "rank by this network's subscore")
    .addOption(new Option("-l, --limit <k>", "how many").default(10).argParser(positiveInt))
    .option("-d, --date <date>", "the score date (default: the latest published)")
    .addOption(new Option("-f, --format <format>", "output format").choices(FORMATS).default("table"))
    .action(async (flags: TopFlags, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (flags.date !== undefined) flags.date = parseDate(flags.date);
      const need = ["fct_person_scores", "dim_people", ...(flags.network !== undefined ? ["fct_account_scores", "dim_accounts"] : []), ...(flags.topic !== undefined ? ["fct_topic_affinity", "dim_topics"] : [])];
      const board = await withPublished(ctx, need, (wh) => leaderboard(wh, flags));
      const rows = board.rows.map((r) => Object.fromEntries(board.columns.map((c) => [c, r[c] ?? null])));
      if (flags.format === "table") ctx.out.line(board.title);
      ctx.out.line(renderRows(rows, flags.format, board.columns).replace(/\n$/, ""));
    });
}
