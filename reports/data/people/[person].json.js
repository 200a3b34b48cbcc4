// One score card (marts: dim_people, dim_accounts, fct_person_scores, fct_score_explanations, fct_account_scores,
// fct_topic_affinity, dim_topics, fct_moments). `clout site build` computes every card in one pass
// (src/site/cards.ts) and names the folder in CLOUT_SITE_CARDS_DIR: this loader copies the card out. Plain JS,
// so that each of the many card processes starts in milliseconds; without the folder (an `observable` command
// run by hand) it computes the card itself through tsx.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { person: { type: "string" } } });
const slug = values.person ?? "";
try {
  if (!/^(?:[A-Za-z0-9-]|_[0-9a-f]{2})+$/.test(slug)) throw new Error(`"${slug}" is not a person slug`);
  const dir = process.env.CLOUT_SITE_CARDS_DIR;
  const file = dir ? path.join(dir, `${slug}.json`) : undefined;
  if (file && fs.existsSync(file)) {
    process.stdout.write(fs.readFileSync(file));
  } else {
    const { register } = await import("tsx/esm/api");
    register();
    const { runLoader } = await import("../../../src/site/published.ts");
    const { person } = await import("../../../src/site/loaders/person.ts");
    const { personFromSlug } = await import("../../../src/site/slug.ts");
    await runLoader(`people/${slug}`, (p) => person(p, personFromSlug(slug)));
  }
} catch (err) {
  process.stderr.write(`error: data loader people/${slug} failed: ${err.message}\n`);
  process.exitCode = 1;
}
