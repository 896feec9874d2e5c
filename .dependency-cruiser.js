/**
 * Layer boundaries (docs/design.md §2), checked by `npm run lint`:
 *  - apps depend on libs, never on each other; apps/api/src/embedded/ is the
 *    composition root that puts the apps in one process (embedded mode) and
 *    hands the operator commands (apps/api/src/cli/) what they need of the apps;
 *  - libs never import apps, and reach each other only through their public
 *    entries (`@cp/<lib>`, libs/<lib>/src/index.ts), in this order:
 *      events < domain < store < host-feed < runtime,  store < write-model,
 *      auth (who calls, and the policy) stands alone and is used by runtime and the apps;
 *  - libs/domain and libs/events stay pure, so they can be reasoned about and
 *    tested without any framework or I/O.
 */
const FRAMEWORKS = '^(@nestjs|@mikro-orm|@fastify|fastify|kafkajs|better-sqlite3|pg|knex|pino|prom-client)';
const lib = (name) => `^libs/${name}/`;
module.exports = {
  forbidden: [
    {
      name: 'no-app-to-app',
      severity: 'error',
      comment: 'an app reaches another app only through the composition root (apps/api/src/embedded/)',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/api/src/embedded/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'composition-root-uses-public-entries',
      severity: 'error',
      comment: 'the composition root takes the other apps by their public entry (apps/<app>/src/index.ts)',
      from: { path: '^apps/api/src/embedded/' },
      to: { path: '^apps/(l2pop-projector|l3-scheduler|dhcp-projector)/', pathNot: '^apps/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'no-lib-to-app',
      severity: 'error',
      comment: 'libs never reach into apps/',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'libs-through-public-entries',
      severity: 'error',
      comment: 'outside a lib, import it as @cp/<lib> (its src/index.ts), not its internals',
      from: { path: '^(apps|libs/[^/]+)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: ['^$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'pure-libs-no-frameworks',
      severity: 'error',
      comment: 'libs/domain and libs/events import no framework, database or broker client',
      from: { path: `${lib('(domain|events)')}` },
      to: { path: `node_modules/${FRAMEWORKS.slice(1)}` },
    },
    {
      name: 'events-below-everything',
      severity: 'error',
      comment: 'the event catalogue depends on no other lib',
      from: { path: lib('events') },
      to: { path: '^libs/', pathNot: lib('events') },
    },
    {
      name: 'domain-above-events-only',
      severity: 'error',
      comment: 'the deciders depend on the event catalogue and nothing else of ours',
      from: { path: lib('domain') },
      to: { path: '^libs/', pathNot: [lib('domain'), lib('events')] },
    },
    {
      name: 'store-below-its-users',
      severity: 'error',
      comment: 'the storage layer knows events and the database, not what is built on it',
      from: { path: lib('store') },
      to: { path: '^libs/(domain|host-feed|runtime|write-model)/' },
    },
    {
      name: 'host-feed-below-runtime',
      severity: 'error',
      comment: 'the agent feed needs the store only',
      from: { path: lib('host-feed') },
      to: { path: '^libs/(domain|runtime|write-model)/' },
    },
    {
      name: 'runtime-knows-no-command-side',
      severity: 'error',
      comment: 'the process kit serves every app; the projector processes have no command side',
      from: { path: lib('runtime') },
      to: { path: lib('write-model') },
    },
    {
      name: 'write-model-not-a-process',
      severity: 'error',
      comment: 'the command side is used by processes, it does not build them',
      from: { path: lib('write-model') },
      to: { path: '^libs/(host-feed|runtime)/' },
    },
    {
      name: 'auth-stands-alone',
      severity: 'error',
      comment: 'authentication and policy know requests and callers, nothing of the control plane built on them',
      from: { path: lib('auth') },
      to: { path: '^libs/', pathNot: lib('auth') },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(libs|apps)/' },
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
