/*
 * The DHCP model's `verify` and `rebuild` over an embedded data directory
 * (events.sqlite and dhcp.sqlite), through the command's own entry point and exit codes.
 */
import { join } from 'node:path';
import { openDatabase } from '@cp/store';
import { main } from '../../apps/dhcp-projector/src/cli/maintenance';
import { eventually, expectStatus as ok, removeDir, startInProcess } from '../support/control-plane';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'dhcp-maintenance', ...args], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
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
    expect(await run('verify', '--data-dir', dir)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^ok: live == rebuilt at position \d+/),
    });

    const db = await openDatabase({ kind: 'sqlite', path: join(dir, 'dhcp.sqlite') }, []);
    await db.run("UPDATE dhcp_port_ips SET ip = '10.7.0.250' WHERE ip = (SELECT MAX(ip) FROM dhcp_port_ips)");
    await db.close();
    const tampered = await run('verify', '--data-dir', dir);
    expect(tampered).toMatchObject({ code: 1, err: expect.stringContaining('tables: dhcp_port_ips') });

    expect(await run('rebuild', '--data-dir', dir)).toMatchObject({ code: 0, out: expect.stringMatching(/^rebuilt the DHCP read model/) });
    expect((await run('verify', '--data-dir', dir)).code).toBe(0);
  } finally {
    removeDir(dir);
  }
});
