/**
 * Layer boundaries (STYLE.md): the domain and the event catalogue stay pure, so
 * they can be reasoned about and tested without any framework or I/O.
 */
const FRAMEWORKS = '^(@nestjs|@mikro-orm|kafkajs|better-sqlite3|pg|express|knex)';
module.exports = {
  forbidden: [
    {
      name: 'pure-libs-no-frameworks',
      severity: 'error',
      comment: 'libs/domain and libs/events import no framework, database or broker client',
      from: { path: '^libs/(domain|events)/' },
      to: { path: `node_modules/${FRAMEWORKS.slice(1)}` },
    },
    {
      name: 'pure-libs-no-apps',
      severity: 'error',
      comment: 'libs/domain and libs/events never reach into apps/',
      from: { path: '^libs/(domain|events)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'pure-libs-no-infrastructure',
      severity: 'error',
      comment: 'libs/domain and libs/events do not depend on the storage layer',
      from: { path: '^libs/(domain|events)/' },
      to: { path: '^libs/store/' },
    },
    {
      name: 'events-below-domain',
      severity: 'error',
      comment: 'the event catalogue does not depend on deciders',
      from: { path: '^libs/events/' },
      to: { path: '^libs/domain/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^libs/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
