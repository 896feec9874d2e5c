/**
 * Bad input at the HTTP edge, as an attacker or a broken client sends it: every
 * request below is refused with a Neutron error body and appends nothing. The
 * checks run before any controller (libs/runtime, inputChecks), so embedded and
 * distributed mode, SQLite and PostgreSQL answer alike.
 */
import { request } from 'node:http';
import { startInProcess } from '../support/control-plane';

let cp: Awaited<ReturnType<typeof startInProcess>>;

beforeAll(async () => {
  cp = await startInProcess();
});
afterAll(() => cp.close());

type Answer = { status: number; body: { NeutronError?: { type: string; message: string }; network?: { id: string; name: string } } | null };

/** A request with the path sent as written (fetch would resolve `..` segments before sending them). */
function send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  const url = new URL(cp.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (r) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, body: text ? (JSON.parse(text) as Answer['body']) : null }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `attempt` and checks it changed nothing in the store. */
async function refused(
  attempt: () => Promise<{ status: number; body: { NeutronError?: { type: string } } | null }>,
  status: number,
  type: string,
) {
  const head = await cp.head();
  const res = await attempt();
  expect(res.status).toBe(status);
  expect(res.body?.NeutronError?.type).toBe(type);
  expect(await cp.head()).toBe(head);
}

const json = { 'content-type': 'application/json' };

test('a body that is not JSON is refused with 415, whatever it parses as (a browser form cannot post to the API)', async () => {
  const body = JSON.stringify({ network: { name: 'forged' } });
  await refused(() => send('POST', '/v2.0/networks', body, { 'content-type': 'text/plain' }), 415, 'HTTPUnsupportedMediaType');
  await refused(
    () => send('POST', '/v2.0/networks', 'network[name]=x', { 'content-type': 'application/x-www-form-urlencoded' }),
    415,
    'HTTPUnsupportedMediaType',
  );
  expect((await send('POST', '/v2.0/networks', body, json)).status).toBe(201);
});

test('a PUT without a Content-Type is read as JSON (neutron-tempest-plugin sends none); a POST without one is refused', async () => {
  const body = JSON.stringify({ network: { name: 'typeless' } });
  await refused(() => send('POST', '/v2.0/networks', body), 415, 'HTTPUnsupportedMediaType');
  const id = (await send('POST', '/v2.0/networks', body, json)).body!.network!.id;
  const renamed = await send('PUT', `/v2.0/networks/${id}`, JSON.stringify({ network: { name: 'renamed' } }));
  expect([renamed.status, renamed.body!.network!.name]).toEqual([200, 'renamed']);
});

test('deeply nested JSON is a 400, not a crash', async () => {
  const deep = '{"network":{"name":"x","description":' + '['.repeat(6000) + ']'.repeat(6000) + '}}';
  await refused(() => send('POST', '/v2.0/networks', deep, json), 400, 'HTTPBadRequest');
  expect((await cp.api.get('/v2.0/networks')).status).toBe(200);
});

test('a body with too many keys is a 400', async () => {
  const many = Object.fromEntries(Array.from({ length: 25_000 }, (_, i) => [`k${i}`, 1]));
  await refused(() => send('POST', '/v2.0/networks', JSON.stringify({ network: many }), json), 400, 'HTTPBadRequest');
});

test('an oversized agent report is refused before it is parsed', async () => {
  const big = JSON.stringify({ tunnel_ip: '192.0.2.10', configurations: { padding: 'x'.repeat(100_000) } });
  await refused(() => send('PUT', '/v1/agents/Open%20vSwitch%20agent/compute-1', big, json), 413, 'RequestEntityTooLarge');
  // Without a Content-Length (chunked), the parser stops at the same limit.
  await refused(
    () => send('PUT', '/v1/agents/Open%20vSwitch%20agent/compute-1', big, { ...json, 'transfer-encoding': 'chunked' }),
    413,
    'RequestEntityTooLarge',
  );
});

test('control characters are refused in paths, filters and bodies alike', async () => {
  await refused(
    () => send('PUT', '/v1/agents/Open%20vSwitch%20agent/comp%00ute', JSON.stringify({ tunnel_ip: '192.0.2.10' }), json),
    400,
    'HTTPBadRequest',
  );
  await refused(() => send('GET', '/v2.0/networks?name=a%00b'), 400, 'HTTPBadRequest');
  await refused(() => send('GET', '/v1/hosts/comp%01ute/l2'), 400, 'HTTPBadRequest');
  await refused(() => send('POST', '/v2.0/networks', JSON.stringify({ network: { name: 'a\u0000b' } }), json), 400, 'HTTPBadRequest');
  // Text may span lines.
  expect(
    (await send('POST', '/v2.0/networks', JSON.stringify({ network: { name: 'n', description: 'line 1\nline 2\ttab' } }), json)).status,
  ).toBe(201);
});

test('an id that climbs or splits the path is refused', async () => {
  await refused(() => send('GET', '/v2.0/networks/a%2Fb'), 400, 'HTTPBadRequest');
  await refused(() => send('DELETE', '/v2.0/networks/..%2F..%2Fsubnets'), 400, 'HTTPBadRequest');
  await refused(() => send('PUT', '/v1/agents/L3%20agent/..', JSON.stringify({}), json), 400, 'HTTPBadRequest');
  await refused(() => send('GET', '/v1/hosts/%2e%2e/l2'), 400, 'HTTPBadRequest');
});

test('headers over 16 KiB get 431 with a Neutron body, not an empty one', async () => {
  const res = await send('GET', `/v2.0/networks?name=${'x'.repeat(20_000)}`);
  expect(res.status).toBe(431);
  expect(res.body).toMatchObject({ NeutronError: { type: 'RequestHeaderFieldsTooLarge' } });
});

test('ids are the server’s to give, as in Neutron: a POST naming one is refused, so no id can be squatted', async () => {
  const id = '5a1b2c3d-0000-5000-8000-000000000001';
  for (const [path, body] of [
    ['/v2.0/networks', { network: { id, name: 'squat' } }],
    ['/v2.0/subnets', { subnet: { id, network_id: id, cidr: '10.0.0.0/24', ip_version: 4 } }],
    ['/v2.0/ports', { port: { id, network_id: id } }],
  ] as const) {
    await refused(() => send('POST', path, JSON.stringify(body), json), 400, 'HTTPBadRequest');
  }
});
