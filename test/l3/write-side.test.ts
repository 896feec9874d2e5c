import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWriteSide } from '@cp/write-model';
import { haNetworkIds } from '../../apps/l3-scheduler/src/ids';
import { L3Runtime, openL3ReadModel } from '../../apps/l3-scheduler/src/runtime';
import { Driver } from './support/driver';
import { truth } from './support/truth';

/**
 * The scheduler's decisions are commands on the write side, like the API's, so its
 * HA networks, subnets and ports pass the same deciders and inline indexes as API
 * commands: VNI, IP and MAC uniqueness, the resources model.
 */
describe('L3 scheduler on the API write side', () => {
  it('registers HA networks, subnets and ports in the API indexes, and keeps them consistent through failover', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'l3-ws-'));
    const ws = await openWriteSide({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' });
    const db = await openL3ReadModel({ kind: 'sqlite', path: join(dir, 'l3.sqlite'), synchronous: 'NORMAL' });
    const runtime = new L3Runtime({ db, writeSide: ws, scheduler: {} });
    try {
      await runtime.start();
      const driver = new Driver(ws.store);
      for (const h of ['net1', 'net2', 'net3', 'net4']) await driver.agentUp(h);
      await driver.createRouters(Array.from({ length: 300 }, (_, i) => `r${i}`));
      await runtime.settle();
      await driver.agentDead('net1');
      await runtime.settle();

      const s = await truth(ws.store);
      const haNets = [...s.nets.keys()].sort();
      const segments = await ws.db.all<{ network_id: string; segmentation_id: number }>(
        'SELECT network_id, segmentation_id FROM segment_allocations',
      );
      expect(segments.map((r) => r.network_id).sort()).toEqual(haNets);
      for (const r of segments) expect(Number(r.segmentation_id)).toBeGreaterThanOrEqual(16_000_000);
      // One HA port per binding, each with its own address, claimed in the API's IP index.
      const ips = await ws.db.all<{ n: number }>('SELECT COUNT(*) AS n FROM ip_allocations');
      expect(Number(ips[0].n)).toBe(900);
      // Admins see the HA network in Neutron's API, owned by no tenant, as in Neutron.
      expect(await ws.resources.get('network', haNetworkIds('p1', 0).networkId)).toMatchObject({
        name: 'HA network tenant p1',
        tenant_id: '',
      });
    } finally {
      await runtime.stop();
      await db.close();
      await ws.db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
