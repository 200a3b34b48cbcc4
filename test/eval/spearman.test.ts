import { describe, expect, it } from "vitest";
import { averageRanks, median, pearson, spearman } from "../../src/eval/spearman.ts";

describe("Spearman rank correlation", () => {
  it("ranks with ties averaged", () => {
    expect(averageRanks([10, 30, 20])).toEqual([1, 3, 2]);
    // 2 and 2 share places 2–3 → 2.5 each
    expect(averageRanks([1, 2, 2, 3, 5])).toEqual([1, 2.5, 2.5, 4, 5]);
    // three-way ties: places 2–4 → 3, places 1–3 → 2
    expect(averageRanks([7, 7, 7, 1])).toEqual([3, 3, 3, 1]);
    expect(averageRanks([7, 7, 7, 9])).toEqual([2, 2, 2, 4]);
    expect(averageRanks([])).toEqual([]);
  });

  it("matches a hand-computed example without ties: 1 − 6Σd² / (n(n² − 1))", () => {
    // ranks of y: 1 3 2 5 4, d = 0 −1 1 −1 1, Σd² = 4, n = 5 → 1 − 24/120 = 0.8
    expect(spearman([10, 20, 30, 40, 50], [1, 3, 2, 5, 4])).toBeCloseTo(0.8, 12);
  });

  it("matches a hand-computed example with ties (Pearson of the averaged ranks)", () => {
    // x ranks 1 2.5 2.5 4 5; y ranks 2 1 3.5 3.5 5; deviations from 3:
    // dx −2 −.5 −.5 1 2, dy −1 −2 .5 .5 2 → Σdxdy = 7.25, Σdx² = Σdy² = 9.5 → ρ = 7.25 / 9.5
    expect(spearman([1, 2, 2, 3, 5], [2, 1, 4, 4, 6])).toBeCloseTo(7.25 / 9.5, 12);
    expect(7.25 / 9.5).toBeCloseTo(0.7631578947, 9);
  });

  it("is 1 for any increasing transform, −1 for a decreasing one, NaN without variance", () => {
    const x = [0.5, 3, 1, 9, 4, 2];
    expect(spearman(x, x.map((v) => Math.exp(v)))).toBeCloseTo(1, 12);
    expect(spearman(x, x.map((v) => -v * v * v))).toBeCloseTo(-1, 12);
    expect(spearman(x, x.map(() => 3))).toBeNaN();
    expect(spearman([1], [2])).toBeNaN();
  });

  it("drops pairs with a non-finite side and refuses unequal lengths", () => {
    expect(spearman([1, 2, Number.NaN, 3], [1, 2, 5, 3])).toBeCloseTo(1, 12);
    expect(() => spearman([1, 2], [1])).toThrow(/2 x values but 1 y values/);
    expect(() => pearson([1, 2], [1])).toThrow();
  });

  it("median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
