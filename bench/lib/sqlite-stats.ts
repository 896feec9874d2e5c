import BetterSqlite3 from 'better-sqlite3';

export interface SqlStat {
  /** The statement (whitespace collapsed, cut to 120 characters); `prepare: ...` for compiling it. */
  sql: string;
  calls: number;
  meanUs: number;
  totalMs: number;
  /** Share of all time spent inside SQLite, percent. */
  sharePct: number;
}

const stats = new Map<string, { n: number; ns: bigint }>();
let installed = false;

function record(sql: string, ns: bigint): void {
  const key = sql.replace(/\s+/g, ' ').trim().slice(0, 120);
  const s = stats.get(key) ?? { n: 0, ns: 0n };
  s.n++;
  s.ns += ns;
  stats.set(key, s);
}

/**
 * Times every SQLite call of this process by statement, at the driver:
 * better-sqlite3 runs statements synchronously, so the time around its call is
 * SQLite's own work, never another request's. Whatever opens the databases (the
 * ORM, the store's statement cache, bulk loads) is covered without knowing it.
 */
export function installSqliteStats(): void {
  if (installed) return;
  installed = true;
  const probe = new BetterSqlite3(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, (...a: unknown[]) => unknown>;
  probe.close();
  for (const m of ['run', 'get', 'all', 'iterate']) {
    const original = statementProto[m];
    statementProto[m] = function (this: { source: string }, ...args: unknown[]) {
      const t0 = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        record(this.source, process.hrtime.bigint() - t0);
      }
    };
  }
  const dbProto = BetterSqlite3.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const prepare = dbProto.prepare;
  dbProto.prepare = function (this: unknown, ...args: unknown[]) {
    const t0 = process.hrtime.bigint();
    try {
      return prepare.apply(this, args);
    } finally {
      record(`prepare: ${String(args[0])}`, process.hrtime.bigint() - t0);
    }
  };
}

export function resetSqliteStats(): void {
  stats.clear();
}

export function sqliteStats(top = 10): { totalMs: number; calls: number; top: SqlStat[] } {
  let total = 0n;
  let calls = 0;
  for (const s of stats.values()) {
    total += s.ns;
    calls += s.n;
  }
  const rows = [...stats].sort((a, b) => Number(b[1].ns - a[1].ns)).slice(0, top);
  return {
    totalMs: Math.round(Number(total) / 1e6),
    calls,
    top: rows.map(([sql, s]) => ({
      sql,
      calls: s.n,
      meanUs: Math.round(Number(s.ns) / s.n / 1e3),
      totalMs: Math.round(Number(s.ns) / 1e6),
      sharePct: total > 0n ? Math.round(Number((s.ns * 1000n) / total)) / 10 : 0,
    })),
  };
}
