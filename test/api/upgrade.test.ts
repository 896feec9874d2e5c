import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@cp/store';
import { main } from '../../apps/api/src/cli/controlplane';
import { createLegacyStore } from '../support/legacy-store';
import { removeDir, spawnControlPlane } from '../support/control-plane';

/*
 * A data directory an older release wrote (the event log before versioned migrations): the server
 * refuses it in one line instead of upgrading it behind the operator's back; `controlplane migrate`
 * upgrades it in place; then the server starts and serves the old events.
 */
test('refuses a store with migrations pending, migrate upgrades it, then it starts with its events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-upgrade-'));
  try {
    await createLegacyStore({ kind: 'sqlite', path: join(dir, 'events.sqlite') });
    const legacy = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite') }, []);
    await legacy.run(
      `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, resource_type, resource_id, project_id, actor, request_id,
         causation_id, occurred_at, data)
       VALUES (?, 'network:n1', 1, 'NetworkDeleted', 1, 'network', 'n1', 'p1', 'old-release', 'req-0', NULL, '2026-01-01T00:00:00Z',
         '{"id":"n1","projectId":"p1","networkType":"vxlan","segmentationId":7}')`,
      [randomUUID()],
    );
    await legacy.close();

    const refused = await spawnControlPlane({ dataDir: dir }).then(
      () => 'started',
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/exited with 1/);
    expect(refused).toContain('needs migrations this release brings (M001EventLog, M002FreePositions)');
    expect(refused).not.toMatch(/\n\s+at /); // one line, no stack

    let out = '';
    const code = await main(['node', 'controlplane', 'migrate', '--data-dir', dir], {
      stdout: (t) => (out += t),
      stderr: (t) => (out += t),
    });
    expect([code, out]).toEqual([0, expect.stringContaining('applied M001EventLog, M002FreePositions; at M002FreePositions')]);
    out = '';
    expect(
      await main(['node', 'controlplane', 'migrate', '--data-dir', dir], { stdout: (t) => (out += t), stderr: (t) => (out += t) }),
    ).toBe(0);
    expect(out).toContain('nothing to apply');

    const cp = await spawnControlPlane({ dataDir: dir });
    try {
      const events = (await (await fetch(`${cp.url}/v1/events?actor=old-release`)).json()) as { events: Array<{ type: string }> };
      expect(events.events.map((e) => e.type)).toEqual(['NetworkDeleted']);
    } finally {
      await cp.kill();
    }
  } finally {
    removeDir(dir);
  }
});
