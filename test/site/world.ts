import { ingest } from "../../pipelines/ingest/ingest.ts";
import { SOURCES } from "../../pipelines/registry.ts";
import type { Context } from "../../src/cli/context.ts";
import { addDays } from "../../src/lib/dates.ts";
import { newRunId } from "../../src/lib/runid.ts";
import { runNights, sampleWorld } from "../helpers/world.ts";

/**
 * A small world for the site test, quickly: 600 people over 8 days, the first 5 days only landed, the last 3
 * run as full nights (ingest → build → test → publish). The window still holds all 8 days, so the calibration
 * freezes and the pages have history, moves and pipeline runs to show, in a third of the time of 8 nights.
 */
export async function siteWorld(opts: { people?: number; days?: number; nights?: number; end?: string; seed?: number } = {}): Promise<Context> {
  const end = opts.end ?? "2026-11-24";
  const days = opts.days ?? 8;
  const nights = opts.nights ?? 3;
  const ctx = await sampleWorld({ people: opts.people ?? 600, days, end, seed: opts.seed ?? 7 });
  const first = addDays(end, -(days - 1));
  const firstNight = addDays(end, -(nights - 1));
  const landed: string[] = [];
  for (let d = first; d < firstNight; d = addDays(d, 1)) landed.push(d);
  if (landed.length) {
    await ingest({ layout: ctx.layout, runId: newRunId(), dates: landed, sources: Object.values(SOURCES), memoryLimit: ctx.config.memoryLimit });
  }
  await runNights(ctx, firstNight, end);
  return ctx;
}
