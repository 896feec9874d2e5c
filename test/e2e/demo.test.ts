import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { EventStore, EventTable, openDatabase } from '@cp/store';
import { removeDir, spawnControlPlane, type ControlPlaneProcess } from '../support/control-plane';

/**
 * The demo drives the classic lab through the public API of a real control plane
 * process; afterwards every stored event must read back valid (schema + upcast).
 */
let cp: ControlPlaneProcess;
beforeAll(async () => {
  cp = await spawnControlPlane();
});
afterAll(async () => {
  await cp.kill();
  removeDir(cp.dataDir);
});

function runDemo(server: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(__dirname, '../../dist/apps/api/src/demo/demo.js'), '--server', server],
      { timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr }),
    );
  });
}

describe('demo', () => {
  it('builds the lab and shows what each agent sees', async () => {
    const { code, out } = await runDemo(cp.url);
    expect(out).not.toMatch(/demo failed/);
    expect(code).toBe(0);
    expect(out).toMatch(/port\s+jumphost .* host=compute-1 status=ACTIVE/);
    expect(out).toMatch(/port\s+web-2 .* host=compute-3 status=ACTIVE/);
    // compute-1 hosts the jump host: it floods to the two web servers' hosts and knows their MACs.
    const c1 = out.split('== L2 agent on compute-1')[1].split('\n== ')[0];
    expect(c1).toMatch(/flood: .*192\.0\.2\.12.*192\.0\.2\.13/);
    expect(c1).toMatch(/fdb 192\.0\.2\.12: fa:16:3e/);
    // The HA router's three hosts join the private network's flood list without unicast entries.
    expect(c1).toMatch(/flood: .*192\.0\.2\.21, 192\.0\.2\.22, 192\.0\.2\.23/);
    expect(c1).not.toMatch(/fdb 192\.0\.2\.2\d/);
    const n1 = out.split('== L3 agent on network-1')[1].split('\n== ')[0];
    expect(n1).toMatch(/vrid 1 priority 50 state active/);
    const n2 = out.split('== L3 agent on network-2')[1].split('\n== ')[0];
    expect(n2).toMatch(/vrid 1 priority 50 state standby/);
  });

  it('stored only events that read back valid', async () => {
    const db = await openDatabase({ kind: 'sqlite', path: join(cp.dataDir, 'events.sqlite') }, [EventTable]);
    try {
      const store = new EventStore(db);
      let after = 0;
      let count = 0;
      for (;;) {
        const batch = await store.readAll(after, 500);
        if (batch.length === 0) break;
        count += batch.length;
        after = batch[batch.length - 1].metadata.position!;
      }
      expect(count).toBeGreaterThan(30);
      expect(after).toBe(await store.headPosition());
    } finally {
      await db.close();
    }
  });
});
