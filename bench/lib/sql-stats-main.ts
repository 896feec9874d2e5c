import { writeFileSync } from 'node:fs';
import { installSqliteStats, resetSqliteStats, sqliteStats } from './sqlite-stats';

/**
 * The control plane's own main (embedded mode), with every SQLite call timed by
 * statement. SIGUSR2 starts a fresh count (the bench sends it when the measured
 * load begins); on exit the counts go to CP_BENCH_SQL_STATS as JSON.
 */
installSqliteStats();
process.on('SIGUSR2', () => resetSqliteStats());
process.on('exit', () => {
  if (process.env.CP_BENCH_SQL_STATS) writeFileSync(process.env.CP_BENCH_SQL_STATS, JSON.stringify(sqliteStats(15)));
});
// eslint-disable-next-line @typescript-eslint/no-require-imports -- after the driver is instrumented, not before
require('../../apps/api/src/main');
