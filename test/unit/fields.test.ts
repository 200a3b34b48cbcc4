import { describe, expect, it } from "vitest";
import { fastIsoToMs, isoToMs, isoToMsByDateParse } from "../../pipelines/fields.ts";
import { Rng } from "../../pipelines/generate/prng.ts";

const pad = (n: number, w: number) => String(n).padStart(w, "0");

describe("fastIsoToMs, the digit-by-digit ISO reader", () => {
  it("answers for the shapes networks write, with Date.parse's instant", () => {
    const cases: [string, string][] = [
      ["2026-11-24T10:00:00Z", "2026-11-24T10:00:00.000Z"],
      ["2026-11-24T10:00:00.123Z", "2026-11-24T10:00:00.123Z"],
      ["2026-11-24T10:00:00+0000", "2026-11-24T10:00:00.000Z"],
      ["2026-11-24T10:00:00+05:30", "2026-11-24T04:30:00.000Z"],
      ["2026-11-24T01:00:00-0800", "2026-11-24T09:00:00.000Z"],
      ["2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999Z"],
    ];
    for (const [raw, iso] of cases) expect(fastIsoToMs(raw), raw).toBe(Date.parse(iso));
  });

  it("declines what it does not read exactly, leaving it to the Date.parse path", () => {
    for (const raw of ["2026-02-29T10:00:00Z", "2026-11-31T10:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T10:60:00Z", "2026-11-24T10:00:00", "2026-11-24 10:00:00Z", "2026-11-24T10:00:00.1234Z", "2026-11-24T10:00:00.12Z", " 2026-11-24T10:00:00Z", "2026-11-24T10:00:00Zx", "2026-13-01T00:00:00Z", "2026-11-24T10:00:00+2400", "2026-1a-24T10:00:00Z", "2o26-11-24T10:00:00Z"]) {
      expect(fastIsoToMs(raw), raw).toBeUndefined();
    }
  });

  it("agrees with the Date.parse path on 20,000 random near-ISO strings (valid and invalid)", () => {
    // the generator's seeded PRNG, so a failure names a reproducible string
    const rng = new Rng(7);
    const r = () => rng.float();
    const pick = <T,>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
    let answered = 0;
    for (let k = 0; k < 20_000; k++) {
      const y = pick([1999, 2000, 2024, 2026, 2099, 2100]);
      const s = `${pad(y, 4)}-${pad(Math.floor(r() * 14), 2)}-${pad(Math.floor(r() * 33), 2)}T${pad(Math.floor(r() * 26), 2)}:${pad(Math.floor(r() * 62), 2)}:${pad(Math.floor(r() * 62), 2)}${pick(["", ".5", ".123", ".999999"])}${pick(["Z", "+00:00", "-0330", "+1400", "+2500", "", "z"])}`;
      const fast = fastIsoToMs(s);
      let slow: number | string;
      try {
        slow = isoToMsByDateParse(s);
      } catch (e) {
        slow = (e as Error).message;
      }
      if (fast === undefined) continue;
      answered++;
      // where the fast reader answers, isoToMs gives the slow path's result or its range error
      let viaIso: number | string;
      try {
        viaIso = isoToMs(s);
      } catch (e) {
        viaIso = (e as Error).message;
      }
      expect(viaIso, s).toEqual(slow);
    }
    expect(answered).toBeGreaterThan(1_000);
  });
});
