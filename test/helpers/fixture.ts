import fs from "node:fs";
import path from "node:path";
import { tempDir } from "./warehouse.ts";

/** Write a tiny project (sql/project.yml + the given files, paths relative to sql/) into a temp folder. */
export function fixtureProject(files: Record<string, string>, layers = "staging: {materialized: view}\n  intermediate: {materialized: table}\n  marts: {materialized: table}"): string {
  const dir = tempDir("clout-fixture-");
  fs.mkdirSync(path.join(dir, "sql"), { recursive: true });
  fs.writeFileSync(path.join(dir, "sql", "project.yml"), `name: fixture\nlayers:\n  ${layers}\n`);
  for (const [rel, text] of Object.entries(files)) writeFixture(dir, rel, text);
  return dir;
}

export function writeFixture(dir: string, rel: string, text: string): void {
  const file = path.join(dir, "sql", rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
