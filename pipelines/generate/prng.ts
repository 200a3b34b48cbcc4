/**
 * Deterministic randomness for the sample world. Nothing here reads the clock or Math.random: every
 * stream is seeded from the run's seed and the identity of what it decides (a person, an account and a
 * day, a post…), so a piece of the world can be regenerated on its own and comes out the same.
 */

/** murmur3's 32-bit finaliser: a full-avalanche mix. */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One murmur3 body step: fold the 32-bit word `x` into the hash state `h`. */
function step(h: number, x: number): number {
  x = Math.imul(x | 0, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  x = Math.imul(x, 0x1b873593);
  h ^= x;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** A 32-bit hash of up to five integers (each taken modulo 2^32; larger safe integers fold their high part in). */
export function hash(a: number, b = 0, c = 0, d = 0, e = 0): number {
  let h = 0x2545f491;
  h = step(h, a);
  h = step(h, hi(a));
  h = step(h, b);
  h = step(h, hi(b));
  h = step(h, c);
  h = step(h, d);
  h = step(h, e);
  return fmix(h ^ 28);
}

function hi(x: number): number {
  return x >= 4294967296 || x < 0 ? Math.floor(x / 4294967296) | 0 : 0;
}

/** A uniform float in [0, 1) from a hash. */
export function unit(h: number): number {
  return (h >>> 0) / 4294967296;
}

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128 bits of state, passes PractRand, and is
 * cheap to reseed, which the world does once per person, account-day and post.
 */
export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(k0 = 0, k1 = 0, k2 = 0, k3 = 0) {
    this.reseed(k0, k1, k2, k3);
  }

  /** Restart the stream from a key of up to four integers. */
  reseed(k0: number, k1 = 0, k2 = 0, k3 = 0): this {
    this.a = hash(k0, k1, k2, k3, 1);
    this.b = hash(k0, k1, k2, k3, 2);
    this.c = hash(k0, k1, k2, k3, 3);
    this.d = 1;
    for (let i = 0; i < 8; i++) this.u32();
    return this;
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal (Box–Muller, one value per call). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** exp(N(mu, sigma²)): median e^mu. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Poisson(lambda): exact below 30, a rounded normal above (the world only needs the shape). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.float();
      while (p > limit) {
        k++;
        p *= this.float();
      }
      return k;
    }
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** An index drawn with probability proportional to `weights[i]`. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
}

/**
 * A keyed bijection of [0, n): a balanced Feistel network with cycle walking. Used for ids (unique by
 * construction, yet not in creation order) and for "distinct random targets" without remembering them.
 */
export function permute(i: number, n: number, key: number): number {
  if (n <= 1) return 0;
  let half = 1;
  while (2 ** (2 * half) < n) half++;
  if (half > 26) throw new Error(`Failed to permute: domain ${n} exceeds 2^52`);
  const size = 2 ** half;
  const mask = size - 1;
  let x = i;
  do {
    // Arithmetic, not bit operations, on x: the domain may exceed 2^32 (up to 2^52).
    let left = Math.floor(x / size);
    let right = x % size;
    for (let round = 0; round < 4; round++) {
      const next = left ^ (hash(key, round, right) & mask);
      left = right;
      right = next;
    }
    x = left * size + right;
  } while (x >= n);
  return x;
}

/** First index in the ascending `cum[start, end)` whose value exceeds `x` (binary search; clamps to end-1). */
export function searchCumulative(cum: Float64Array, start: number, end: number, x: number): number {
  let lo = start;
  let hi2 = end - 1;
  while (lo < hi2) {
    const mid = (lo + hi2) >>> 1;
    if (cum[mid]! > x) hi2 = mid;
    else lo = mid + 1;
  }
  return lo;
}
