import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext, DomainEventBody } from '@cp/events';
import type { Decider } from '@cp/domain';
import { type Database, EventStore, EventTable, openDatabase } from '@cp/store';
import { CommandRunner } from './command-runner';

const ctx: CommandContext = {
  projectId: 'p',
  actor: 'a',
  requestId: 'r',
  causationId: null,
  now: '2026-01-01T00:00:00.000Z',
  isAdmin: true,
};
const admin = (adminStateUp: boolean): DomainEventBody => ({
  type: 'AgentAdminStateChanged',
  data: { id: 'agent-1', agentType: 'L3 agent', host: 'h', adminStateUp },
});

/** Folds the admin states it sees, and counts its folds, so a test sees what a load parsed. */
let folds = 0;
const history: Decider<never, boolean[], DomainEventBody> = {
  decide: () => [],
  evolve: (s, e) => (folds++, e.type === 'AgentAdminStateChanged' ? [...s, e.data.adminStateUp] : s),
  initialState: () => [],
};

describe('CommandRunner stream cache', () => {
  let dir: string;
  let db: Database;
  let store: EventStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stream-cache-'));
    db = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite') }, [EventTable]);
    store = new EventStore(db);
    folds = 0;
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = (version: number, up: boolean) =>
    store.transaction((tx) => store.append([{ streamId: 's', expectedVersion: version, events: [admin(up)] }], ctx, tx));
  const load = (runner: CommandRunner) => runner.run(ctx, (uow) => uow.load(history, 's')).then((r) => r.result);

  it('folds only what was appended since, also by another writer (another process)', async () => {
    const runner = new CommandRunner(store);
    await append(0, true);
    expect(await load(runner)).toEqual([true]);
    await append(1, false); // not through this runner
    folds = 0;
    expect(await load(runner)).toEqual([true, false]);
    expect(folds).toBe(1);
    folds = 0;
    expect(await load(runner)).toEqual([true, false]);
    expect(folds).toBe(0);
  });

  it('refolds from the start when the event it folded up to is not the one stored there', async () => {
    const runner = new CommandRunner(store);
    await append(0, true);
    expect(await load(runner)).toEqual([true]);
    // The same stream version now holds a different event (e.g. a store rebuilt under a running process).
    await db.run('DELETE FROM events');
    await append(0, false);
    expect(await load(runner)).toEqual([false]);
  });
});
