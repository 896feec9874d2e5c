import type { DomainEvent } from '@cp/events';
import type { AfterCommit, Database, Projection, Tx } from '@cp/store';

export interface TypeCost {
  type: string;
  events: number;
  /** Mean wall time of `apply` per event, ms. */
  meanMs: number;
  /** Mean SQL statements per event. */
  queries: number;
  /** Share of all apply time, percent. */
  sharePct: number;
}

/**
 * Counts SQL statements on a Database and times a projection's `apply` per
 * event type, so a slow rebuild says which events cost and how many statements
 * each takes (lib/sqlite-stats.ts says which statements). The wrappers add a
 * counter increment and a clock read per call: negligible next to a statement.
 */
export class Instrument {
  private queries = 0;
  private readonly byType = new Map<string, { n: number; ns: bigint; q: number }>();

  countQueries(db: Database): void {
    const target = db as unknown as Record<'all' | 'run', (...args: unknown[]) => Promise<unknown>>;
    for (const m of ['all', 'run'] as const) {
      const original = target[m].bind(db);
      target[m] = (...args: unknown[]) => {
        this.queries++;
        return original(...args);
      };
    }
  }

  /**
   * The same projection, timed; `onEach` runs after every event (e.g. to enforce a time cap).
   * A Proxy, so every other member (batch hooks, flags) still runs on the original with its own `this`.
   */
  wrap(projection: Projection, onEach: () => void = () => {}): Projection {
    const apply = async (tx: Tx, event: DomainEvent, after: AfterCommit) => {
      const q0 = this.queries;
      const t0 = process.hrtime.bigint();
      await projection.apply(tx, event, after);
      const cost = this.byType.get(event.type) ?? { n: 0, ns: 0n, q: 0 };
      cost.n++;
      cost.ns += process.hrtime.bigint() - t0;
      cost.q += this.queries - q0;
      this.byType.set(event.type, cost);
      onEach();
    };
    return new Proxy(projection, {
      get(target, prop) {
        if (prop === 'apply') return apply;
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  get totalQueries(): number {
    return this.queries;
  }

  /** Seconds `apply` would need for `remaining` events per type, at the mean cost seen per type (overall mean for unseen types). */
  estimateSeconds(remaining: ReadonlyMap<string, number>): number {
    let ns = 0n;
    let n = 0;
    for (const c of this.byType.values()) {
      ns += c.ns;
      n += c.n;
    }
    const overall = n > 0 ? Number(ns) / n : 0;
    let total = 0;
    for (const [type, count] of remaining) {
      const c = this.byType.get(type);
      total += count * (c ? Number(c.ns) / c.n : overall);
    }
    return total / 1e9;
  }

  get applySeconds(): number {
    let ns = 0n;
    for (const c of this.byType.values()) ns += c.ns;
    return Number(ns) / 1e9;
  }

  costs(top = 8): TypeCost[] {
    const total = [...this.byType.values()].reduce((a, c) => a + c.ns, 0n);
    return [...this.byType]
      .sort((a, b) => Number(b[1].ns - a[1].ns))
      .slice(0, top)
      .map(([type, c]) => ({
        type,
        events: c.n,
        meanMs: Math.round(Number(c.ns) / c.n / 1e3) / 1e3,
        queries: Math.round((c.q / c.n) * 10) / 10,
        sharePct: total > 0n ? Math.round(Number((c.ns * 1000n) / total)) / 10 : 0,
      }));
  }
}
