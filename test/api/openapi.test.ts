/*
 * The OpenAPI page (/docs, /docs-json) as a client developer reads it: every
 * route the server answers is there, under one tag style per resource family,
 * and the agent contract shows what its documents look like.
 */
import { API_TAGS } from '@cp/runtime';
import { removeDir, spawnControlPlane, startInProcess, type Json } from '../support/control-plane';
import { buildDist } from '../support/build-dist';

beforeAll(buildDist, 120_000);

type Doc = { paths: Record<string, Record<string, Json>> };
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ path, method, op })),
  );

test('every route the server answers is documented, each under one of the tag families', async () => {
  const cp = await startInProcess();
  try {
    const doc = (await (await fetch(`${cp.url}/docs-json`)).json()) as Doc;
    const documented = new Set(operations(doc).map((o) => `${o.method.toUpperCase()} ${o.path}`));
    // What Fastify routes: Nest's handlers, read from its printed route tree (each line a path segment
    // under its parent, with the methods served there; HEAD is implied by GET), `:param` as OpenAPI's `{param}`.
    const tree = cp.running.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
    const parents: string[] = [];
    const served = tree
      .split('\n')
      .flatMap((line) => {
        const m = /^(.*?)[└├]── (.*?)(?: \(([^)]*)\))?$/.exec(line);
        if (!m) return [];
        const depth = m[1].length / 4;
        const path = (depth > 0 ? parents[depth - 1] : '') + m[2];
        parents[depth] = path;
        const methods = (m[3] ?? '').split(', ').filter((method) => method !== '' && method !== 'HEAD');
        return methods.map((method) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
      })
      // The docs themselves and the topology page's files are pages, not API operations.
      .filter((r) => !/ \/(docs|ui)\b/.test(r));
    expect(served.length).toBeGreaterThan(60);
    expect(served.filter((r) => !documented.has(r)).sort()).toEqual([]);

    const families = new Set<string>(Object.values(API_TAGS));
    const badlyTagged = operations(doc).filter(
      (o) => !Array.isArray(o.op.tags) || o.op.tags.length === 0 || o.op.tags.some((t: string) => !families.has(t)),
    );
    expect(badlyTagged.map((o) => `${o.method} ${o.path}: ${JSON.stringify(o.op.tags)}`)).toEqual([]);
    for (const t of ['networks', 'ports', 'agent-l2', 'agent-l3', 'agent-dhcp', 'agent-reports', 'extensions', 'audit'])
      expect(operations(doc).some((o) => o.op.tags.includes(t))).toBe(true);

    // The agent contract: each feed's document with example snapshot and delta, and its watch stream.
    for (const feed of ['l2', 'l3', 'dhcp']) {
      const get = doc.paths[`/v1/hosts/{host}/${feed}`].get;
      const examples = get.responses['200'].content['application/json'].examples as Record<string, { value: Json }>;
      expect(Object.keys(examples)).toEqual(expect.arrayContaining(['snapshot', 'delta']));
      expect(examples.snapshot.value.revision).toMatch(/^\d+-\d+$/);
      expect(examples.delta.value).toMatchObject({ resync: false, since: expect.any(String) });
      expect(Object.keys(doc.paths[`/v1/hosts/{host}/${feed}/watch`].get.responses['200'].content)).toEqual(['text/event-stream']);
    }
  } finally {
    await cp.close();
  }
});

test("a server's operations endpoints and Neutron's discovery are on the page too", async () => {
  const cp = await spawnControlPlane();
  try {
    const doc = (await (await fetch(`${cp.url}/docs-json`)).json()) as Doc;
    for (const path of ['/healthz', '/readyz', '/metrics']) expect(doc.paths[path].get.tags).toEqual(['operations']);
    for (const path of ['/', '/v2.0', '/v2.0/extensions', '/v2.0/extensions/{alias}'])
      expect(doc.paths[path].get.tags).toEqual(['extensions']);
  } finally {
    await cp.kill();
    removeDir(cp.dataDir);
  }
});
