import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/warehouse.ts";

const HIGGS = path.resolve("../shared/data/higgs/higgs-activity_time.txt.gz");

describe("clout ingest (the real binary)", () => {
  it("refuses path traversal and unknown names in its arguments, writing nothing", async () => {
    const data = tempDir();
    const bad = await runCli(["--data-dir", data, "ingest", "--date", "../../etc"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: invalid --date "..\/..\/etc": a date like 2026-11-24\n/);
    const net = await runCli(["--data-dir", data, "ingest", "--date", "2026-11-24", "--network", "../twitter"]);
    expect(net.code).toBe(1);
    expect(net.stderr).toMatch(/^error: unknown network "..\/twitter"\nhint: use one of: twitter, /);
    const both = await runCli(["--data-dir", data, "ingest", "--date", "2026-11-24", "--from", "2026-11-01"]);
    expect(both.stderr).toMatch(/^error: give either --date or --from\/--to, not both/);
    expect(fs.readdirSync(data)).toEqual([]);
  });

  it("a truncated gzip fails that network's date with one error naming the file, and the other networks land", async () => {
    const data = tempDir();
    const day = "2026-11-24";
    fs.mkdirSync(path.join(data, "exports", "reddit", day), { recursive: true });
    fs.mkdirSync(path.join(data, "exports", "mastodon", day), { recursive: true });
    fs.writeFileSync(path.join(data, "exports", "reddit", day, "submissions.jsonl.gz"), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]));
    fs.writeFileSync(path.join(data, "exports", "reddit", day, "comments.jsonl"), "");
    fs.writeFileSync(
      path.join(data, "exports", "mastodon", day, "activities.jsonl"),
      `${JSON.stringify({ id: "https://m.example/users/a/statuses/1/activity", type: "Create", actor: "https://m.example/users/a", published: "2026-11-24T10:00:00Z", object: { id: "https://m.example/users/a/statuses/1", type: "Note", attributedTo: "https://m.example/users/a", content: "<p>hi</p>", published: "2026-11-24T10:00:00Z" } })}\n`,
    );
    const r = await runCli(["--data-dir", data, "ingest", "--date", day, "--network", "reddit", "mastodon"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: ingest failed for reddit 2026-11-24: cannot read ".*\/exports\/reddit\/2026-11-24\/submissions\.jsonl\.gz": truncated gzip stream\n/);
    expect(r.stdout).toMatch(/landed\s+mastodon\s+2026-11-24\s+1 files\s+1 accepted\s+0 rejected/);
    expect(fs.existsSync(path.join(data, "lake", "raw", "mastodon", "activities", `dt=${day}`))).toBe(true);
    expect(fs.existsSync(path.join(data, "lake", "raw", "reddit"))).toBe(false);
    const s = await runCli(["--data-dir", data, "status", "--json"]);
    const status = JSON.parse(s.stdout) as { sources: { source: string; accepted: number; lines_read: number }[] };
    expect(status.sources.find((x) => x.source === "mastodon")).toMatchObject({ lines_read: 1, accepted: 1 });
  });

  it("lands the SNAP Higgs activity file through the generic adapter with flags alone: 563,069 interactions", async (ctx) => {
    if (!fs.existsSync(HIGGS)) {
      console.warn(`notice: ${HIGGS} is absent (../shared/data); skipping the Higgs landing test`);
      ctx.skip();
    }
    const data = tempDir();
    const r = await runCli([
      "--data-dir", data, "ingest", "--date", "2012-07-08", "--file", HIGGS,
      "--delimiter", "space", "--no-header", "--columns", "actor_id=1,target_id=2,occurred_at=3,action=4",
      "--actions", "RT=repost,MT=mention,RE=reply", "--rows-network", "higgs", "--time", "epoch_s",
    ]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/landed\s+generic\s+2012-07-08\s+1 files\s+563,069 accepted\s+0 rejected/);
  }, 120_000);
});
