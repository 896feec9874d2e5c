import { EntitySchema } from '@mikro-orm/core';
import type { Database, Tx } from '@cp/store';
import type { AgentFacts, RouterFacts, SchedulerFacts } from './facts';
import type { PlacementEntry, Placements } from './placements';

/**
 * The scheduler's own state, keyed by scheduler name so independent instances
 * (tests racing two of them, or a blue/green pair) share one database without
 * sharing state. It is a cache of what the events say, saved with the checkpoint
 * in one transaction: a restart resumes from a consistent pair.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rows are read with raw SQL, not as entities
export const SchedulerStateTable = new EntitySchema<any>({
  name: 'L3SchedulerStateRow',
  tableName: 'l3_scheduler_state',
  properties: {
    scheduler: { type: 'string', length: 64, primary: true },
    kind: { type: 'string', length: 16, primary: true },
    id: { type: 'string', length: 255, primary: true },
    body: { type: 'text' },
  },
});

/** Tables the scheduler needs in its state database (with libs/store's CheckpointTable). */
export const L3_SCHEDULER_TABLES = [SchedulerStateTable];

type Kind = 'router' | 'agent' | 'placement';

export async function loadSchedulerState(db: Database, name: string, facts: SchedulerFacts, placements: Placements): Promise<void> {
  const rows = await db.all<{ kind: Kind; id: string; body: string }>('SELECT kind, id, body FROM l3_scheduler_state WHERE scheduler = ?', [
    name,
  ]);
  for (const r of rows) {
    const body = JSON.parse(r.body) as unknown;
    if (r.kind === 'router') facts.routers.set(r.id, body as RouterFacts);
    else if (r.kind === 'agent') facts.agents.set(r.id, body as AgentFacts);
    else if (r.kind === 'placement') placements.restore(r.id, body as PlacementEntry);
  }
}

export async function clearSchedulerState(db: Database, tx: Tx, name: string): Promise<void> {
  await db.run('DELETE FROM l3_scheduler_state WHERE scheduler = ?', [name], tx);
}

/** Writes what changed since the last save, then forgets the dirty marks. */
export async function saveSchedulerState(db: Database, tx: Tx, name: string, facts: SchedulerFacts, placements: Placements): Promise<void> {
  const put = (kind: Kind, id: string, body: unknown) =>
    body === undefined
      ? db.run('DELETE FROM l3_scheduler_state WHERE scheduler = ? AND kind = ? AND id = ?', [name, kind, id], tx)
      : db.run(
          `INSERT INTO l3_scheduler_state (scheduler, kind, id, body) VALUES (?, ?, ?, ?)
           ON CONFLICT (scheduler, kind, id) DO UPDATE SET body = excluded.body`,
          [name, kind, id, JSON.stringify(body)],
          tx,
        );
  for (const key of facts.dirty) {
    const [kind, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind === 'router') await put('router', id, facts.routers.get(id));
    else if (kind === 'agent') await put('agent', id, facts.agents.get(id));
  }
  for (const routerId of placements.dirty) await put('placement', routerId, placements.peek(routerId));
}

export function clearDirty(facts: SchedulerFacts, placements: Placements): void {
  facts.dirty.clear();
  placements.dirty.clear();
}
