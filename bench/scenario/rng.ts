/**
 * A seeded PRNG (mulberry32): the same seed gives the same scenario on every
 * machine, so figures from two runs describe the same cloud.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** `k` distinct indices of [0, n) (k <= n), by partial Fisher-Yates over a sparse map. */
  sample(n: number, k: number): number[] {
    const swapped = new Map<number, number>();
    const out: number[] = [];
    for (let i = 0; i < Math.min(k, n); i++) {
      const j = i + this.int(n - i);
      const vj = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      out.push(vj);
    }
    return out;
  }
}

/**
 * Deterministic UUID-shaped ids (the API's validators accept any UUID-like string).
 * The last 12 hex digits spell (kind, n), which keeps ids unique; the first 20 are a
 * hash of them, so ids differ from their first character like real UUIDs. That
 * matters: ipset names keep only the first 24 characters of a group id.
 */
export function uuidOf(kind: number, n: number): string {
  const tail = kind * 0x10000000 + n;
  const a = mix32(tail);
  const b = mix32(a ^ 0x9e3779b9);
  const hex = (v: number, len: number) => v.toString(16).padStart(8, '0').slice(-len);
  return `${hex(a, 8)}-${hex(b, 4)}-4${hex(b >>> 16, 3)}-8${hex(mix32(b), 3)}-${tail.toString(16).padStart(12, '0').slice(-12)}`;
}

/** A 32-bit integer hash (murmur3's finaliser) of a non-negative integer below 2^53. */
function mix32(x: number): number {
  let h = (x ^ Math.floor(x / 0x100000000)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
