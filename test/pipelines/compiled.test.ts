// Ingest validates every record with each entity's zod schema compiled whole (`z.compile`, pipelines/validate.ts).
// The compiled function is meant to be the same schema, only faster: a record it does not accept goes back to zod's
// runtime parser, which gives the reject reason. What could go wrong is a compiled function that accepts a record the
// runtime rejects, or converts it differently. So every entity's records from a generated world, and each of them
// broken field by field (null, missing, empty, blank, wrong types, fractions, unsafe integers, lists, objects), must
// get the same outcome from both: accepted with equal data, or rejected with the same reason.
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJsonLine, validateJsonLine } from "../../pipelines/ingest/jsonl.ts";
import { DEFAULT_MAPPING, genericSpec } from "../../pipelines/networks/generic.ts";
import { SOURCES } from "../../pipelines/registry.ts";
import type { EntitySpec } from "../../pipelines/types.ts";
import { compiledSchema, reasonOf, validateRecord, type Validated } from "../../pipelines/validate.ts";
import type { Context } from "../../src/cli/context.ts";
import { removeTempDirs } from "../helpers/warehouse.ts";
import { exportRecords, sampleWorld } from "../helpers/world.ts";

let world: Context;
beforeAll(async () => {
  world = await sampleWorld({ people: 1500, days: 3, end: "2026-11-24", seed: 23 });
}, 120_000);
afterAll(() => removeTempDirs());

/** Up to `n` records of an entity from the world's exports, evenly spaced within its files (date order). */
function records(network: string, spec: EntitySpec<any>, n: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const file of exportRecords(world, network, spec.entity)) {
    const step = Math.max(1, Math.floor(file.length / n));
    for (let i = 0; i < file.length && out.length < n; i += step) out.push(file[i]!);
  }
  return out;
}

/** Every path to a value in a record (into objects and arrays). */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return at.length ? [at] : [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  const inner = keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...at, k]));
  return at.length ? [at, ...inner] : inner;
}

const BROKEN: [string, unknown][] = [
  ["null", null],
  ["missing", undefined],
  ["empty", ""],
  ["blank", " "],
  ["zero", 0],
  ["negative", -1],
  ["fraction", 1.5],
  ["unsafe integer", 2 ** 53 + 2],
  ["word", "x"],
  ["digits", "123"],
  ["ISO time", "2026-02-30T00:00:00Z"],
  ["true", true],
  ["list", []],
  ["object", {}],
];

function broken(record: Record<string, unknown>, at: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(record);
  let cur = copy as Record<string | number, unknown>;
  for (const k of at.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  if (value === undefined) delete cur[at.at(-1)!];
  else cur[at.at(-1)!] = value;
  return copy;
}

type Outcome = { ok: true; data: unknown } | { ok: false; reason: string };
const outcome = (r: z.ZodSafeParseResult<unknown>): Outcome => (r.success ? { ok: true, data: r.data } : { ok: false, reason: reasonOf(r.error) });

const specs: [string, EntitySpec<any>][] = [
  ...Object.values(SOURCES).flatMap((s) => s.entities.map((e) => [s.name, e] as [string, EntitySpec<any>])),
  ["generic", genericSpec(DEFAULT_MAPPING)],
];

describe("compiled schemas", () => {
  for (const [network, spec] of specs) {
    it(`${network} ${spec.entity}: compiles, and agrees with zod's runtime parser on valid and broken records`, () => {
      // strict: a schema the compiler refuses would silently keep the slow runtime parser
      expect(() => z.compile(spec.schema, { strict: true })).not.toThrow();
      const compiled = compiledSchema(spec.schema);
      const base = network === "generic" ? [{ network: "twitter", interaction_id: "i1", actor_id: "a1", target_id: "t1", action: "reaction", occurred_at: "2026-03-01T00:00:00Z", content_id: "c1", text: "" }] : records(network, spec, 12);
      expect(base.length, `${network} ${spec.entity} records in the world`).toBeGreaterThan(0);
      let cases = 0;
      let accepted = 0;
      const differ: string[] = [];
      for (const record of base) {
        const variants: [string, unknown][] = [["as exported", record]];
        for (const at of paths(record)) for (const [label, value] of BROKEN) variants.push([`${at.join(".")} ${label}`, broken(record, at, value)]);
        for (const [label, input] of variants) {
          const runtime = outcome(spec.schema.safeParse(structuredClone(input)));
          const fast = outcome(compiled.safeParse(structuredClone(input)));
          cases++;
          if (runtime.ok) accepted++;
          try {
            expect(fast).toEqual(runtime);
          } catch {
            differ.push(`${label}: runtime ${JSON.stringify(runtime)}, compiled ${JSON.stringify(fast)}`);
          }
        }
      }
      expect(differ.slice(0, 5)).toEqual([]);
      // both outcomes were exercised
      expect(accepted).toBeGreaterThan(0);
      expect(cases - accepted).toBeGreaterThan(0);
    });
  }
});

// Ingest reads a JSON line plainly and reads it exactly (bare integers of 16+ digits as strings) only when the plain
// reading is rejected (pipelines/ingest/jsonl.ts, validateJsonLine). That must give what reading every line exactly
// gives, also with big integers written bare in any field.
describe("JSON lines read plainly first", () => {
  const BIG: [string, string][] = [
    ["2^64 bare", "18446744073709551616"],
    ["-2^63-1 bare", "-9223372036854775809"],
    ["2^53+2 bare", "9007199254740994"],
    ["16 digits bare", "1234567890123456"],
    ["leading zero bare", "0123456789012345678"],
  ];
  for (const [network, spec] of specs.filter(([, s]) => s.format === "jsonl")) {
    it(`${network} ${spec.entity}: the same outcome as reading every line exactly`, () => {
      const base = records(network, spec, 6);
      expect(base.length).toBeGreaterThan(0);
      const differ: string[] = [];
      let bareCases = 0;
      let safeCounts = 0;
      for (const record of base) {
        const texts: [string, string][] = [["as exported", JSON.stringify(record)]];
        for (const at of paths(record)) {
          for (const [label, value] of BROKEN) texts.push([`${at.join(".")} ${label}`, JSON.stringify(broken(record, at, value))]);
          for (const [label, digits] of BIG) texts.push([`${at.join(".")} ${label}`, JSON.stringify(broken(record, at, "__big__")).replace('"__big__"', digits)]);
        }
        for (const [label, text] of texts) {
          const exact = parseJsonLine(text);
          const expected: Validated = exact.ok ? validateRecord(spec, exact.value) : exact;
          const got = validateJsonLine(spec, text);
          if (label.includes("bare")) bareCases++;
          if (JSON.stringify(got) === JSON.stringify(expected)) continue;
          // the one difference allowed: a bare 16-digit integer that is safe (exact as a number) in a field taking
          // integers, which the exact reading turned into a string the field refuses (counts as strings have at
          // most 15 digits); read plainly it is the number it is
          if (label.endsWith("16 digits bare") && !expected.ok && got.ok) {
            safeCounts++;
            continue;
          }
          differ.push(`${label}: ${JSON.stringify(got)} against ${JSON.stringify(expected)}`);
        }
      }
      expect(bareCases).toBeGreaterThan(0);
      expect(differ.slice(0, 5)).toEqual([]);
      expect(safeCounts).toBeLessThanOrEqual(bareCases / BIG.length);
    });
  }
});
