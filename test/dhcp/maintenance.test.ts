/*
 * `controlplane verify|rebuild --model dhcp` over an embedded data directory
 * (events.sqlite and dhcp.sqlite), through the command's own entry point and exit codes.
 */
import { join } from 'node:path';
import { openDatabase } from '@cp/store';
import { main } from '../../apps/api/src/cli/controlplane';
import { eventually, expectStatus as ok, removeDir, startInProcess } from '../support/control-plane';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'controlplane', ...args], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

test('verify passes on the live model, names the table of a tampered one, and rebuild repairs it', async () => {
  const cp = await startInProcess();
  const dir = cp.dataDir;
  try {
    ok(await cp.api.put(`/v1/agents/${encodeURIComponent('DHCP agent')}/dhcp-1`, {}), 200);
    const net = ok(await cp.api.post('/v2.0/networks', { network: { name: 'n' } }), 201).network;
    ok(await cp.api.post('/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.7.0.0/24', ip_version: 4 } }), 201);
    ok(await cp.api.post('/v2.0/ports', { port: { network_id: net.id } }), 201);
    await eventually(async () => Object.keys((await cp.api.get('/v1/hosts/dhcp-1/dhcp')).body!.networks).length === 1);
  } finally {
    await cp.running.close(); // the server stops; the data directory stays
  }
  try {
    expect(await run('verify', '--model', 'dhcp', '--data-dir', dir)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^dhcp: ok at position \d+/),
    });

    const db = await openDatabase({ kind: 'sqlite', path: join(dir, 'dhcp.sqlite') }, []);
    await db.run("UPDATE dhcp_port_ips SET ip = '10.7.0.250' WHERE ip = (SELECT MAX(ip) FROM dhcp_port_ips)");
    await db.close();
    const tampered = await run('verify', '--model', 'dhcp', '--data-dir', dir);
    expect(tampered).toMatchObject({ code: 1, err: expect.stringContaining('tables: dhcp_port_ips') });

    expect(await run('rebuild', '--model', 'dhcp', '--data-dir', dir)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^dhcp: rebuilt from position 0 to position \d+/),
    });
    expect((await run('verify', '--data-dir', dir)).code).toBe(0); // every model
    // A mistake in the command line is exit 2, and --help is 0.
    expect((await run('verify', '--model', 'l9', '--data-dir', dir)).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('backup', '--help')).code).toBe(0);
    // A mistyped directory is an error, not an empty store that verifies.
    expect(await run('verify', '--data-dir', join(dir, 'typo'))).toMatchObject({ code: 1, err: expect.stringContaining('no event store') });
  } finally {
    removeDir(dir);
  }
});
