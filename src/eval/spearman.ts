/**
 * Spearman rank correlation, written out so anyone can check it: rank each variable (ties share the mean
 * of the ranks they span, so three values tied for places 2–4 all get rank 3), then take Pearson's
 * correlation of the ranks. With ties this is the textbook definition (the shortcut
 * 1 − 6 Σd² / (n(n² − 1)) is exact only without ties, so it is not used).
 */

/** 1-based ranks of `xs`, ties averaged. NaN is not allowed (filter the pairs first). */
export function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const ranks = new Array<number>(xs.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]!] === xs[order[i]!]) j++;
    // positions i..j (0-based) hold equal values: ranks i+1..j+1, mean (i + j) / 2 + 1
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = mean;
    i = j + 1;
  }
  return ranks;
}

/** Pearson's correlation; NaN when either side has no variance or fewer than two values. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new Error(`pearson: ${xs.length} x values but ${ys.length} y values`);
  const n = xs.length;
  if (n < 2) return Number.NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman's ρ of paired values: Pearson's correlation of their tie-averaged ranks. Pairs with a non-finite side are dropped. */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new Error(`spearman: ${xs.length} x values but ${ys.length} y values`);
  const keep: number[] = [];
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i]) && Number.isFinite(ys[i])) keep.push(i);
  const x = keep.map((i) => xs[i]!);
  const y = keep.map((i) => ys[i]!);
  return pearson(averageRanks(x), averageRanks(y));
}

/** The median of finite values (mean of the middle two for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}
