import fs from "node:fs";
import path from "node:path";
import { cards } from "./loaders/person.ts";
import { cardPeople } from "./people.ts";
import { Published } from "./published.ts";

/**
 * Compute every score card of a build in one pass and write `<dir>/<slug>.json`. The parameterized loader
 * (reports/data/people/[person].json.js) then only copies a file: Framework runs a loader process per card, and
 * a process that opened DuckDB for each would cost ~1 s a card.
 */
export async function writeCards(dataDir: string, dir: string, n: number): Promise<number> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  if (n <= 0) return 0;
  const p = await Published.open(dataDir);
  try {
    const people = await cardPeople(p, n);
    const byId = await cards(p, people.map((c) => c.person_id));
    for (const c of people) {
      const card = byId.get(c.person_id);
      if (!card) throw new Error(`Failed to write the score card of "${c.person_id}": not in dim_people`);
      fs.writeFileSync(path.join(dir, `${c.slug}.json`), JSON.stringify(card));
    }
    return people.length;
  } finally {
    p.close();
  }
}
