import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '@cp/events';
import { EventStore, EventTable, openDatabase } from '@cp/store';
import { removeDir } from '../lib/control-plane';
import { round } from '../lib/stats';
import { DEFAULT_STREAM, generateStream, paramsForEvents, take } from '../scenario/generate';
import { buildLayout } from '../scenario/layout';

export interface EventIndexesOptions {
  /** Events appended into each fresh store. */
  events: number;
  /** Events per transaction (what group commit gathers under load). */
  group: number;
  /** Times each variant is run, alternating. */
  rounds: number;
}

/** The audit API's filters (migration M001): six of the events table's nine b-trees. */
const AUDIT_INDEXES = [
  'events_type_index',
  'events_project_id_index',
  'events_actor_index',
  'events_request_id_index',
  'events_occurred_at_index',
  'events_resource_idx',
];

export interface EventIndexesRun {
  variant: 'all indexes' | 'without the audit indexes';
  /** Mean cost of one appended event over the whole run, and over its last quarter (a grown table), µs. */
  usPerEvent: number;
  lastQuarterUsPerEvent: number;
}

/**
 * What the events table's indexes cost a commit: the same generated history
 * appended through EventStore.append into a fresh SQLite store (NORMAL, as
 * embedded mode runs it), in transactions of `group` events, with all nine
 * b-trees and with the six the audit API's filters use dropped. Rounds
 * alternate so the machine's drift hits both.
 */
export async function runEventIndexes(
  o: EventIndexesOptions,
  log: (s: string) => void,
): Promise<{ figures: { runs: EventIndexesRun[] }; notes: string[] }> {
  const layout = buildLayout(paramsForEvents(o.events));
  const runs: EventIndexesRun[] = [];
  const ctx: CommandContext = {
    projectId: 'bench',
    actor: 'bench',
    requestId: 'r',
    causationId: null,
    now: new Date(0).toISOString(),
    isAdmin: true,
  };
  for (let round_ = 0; round_ < o.rounds; round_++) {
    for (const variant of ['all indexes', 'without the audit indexes'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'cp-bench-idx-'));
      const db = await openDatabase({ kind: 'sqlite', path: join(dir, 'events.sqlite'), synchronous: 'NORMAL' }, [EventTable]);
      try {
        if (variant !== 'all indexes') for (const name of AUDIT_INDEXES) await db.run(`DROP INDEX ${name}`);
        const store = new EventStore(db);
        const stream = take(generateStream(layout, DEFAULT_STREAM, true), o.events);
        const lastQuarter = Math.floor((o.events * 3) / 4);
        let n = 0;
        const started = process.hrtime.bigint();
        let quarterAt = started;
        for (;;) {
          const group = [...take(stream, o.group)];
          if (group.length === 0) break;
          await store.transaction((tx) =>
            store.append(
              group.map(({ streamId, body }) => ({ streamId, expectedVersion: 'any' as const, events: [body] })),
              { ...ctx, requestId: `r-${n}` },
              tx,
            ),
          );
          n += group.length;
          if (n - group.length < lastQuarter && n >= lastQuarter) quarterAt = process.hrtime.bigint();
        }
        const end = process.hrtime.bigint();
        const run: EventIndexesRun = {
          variant,
          usPerEvent: round(Number(end - started) / 1e3 / n, 1),
          lastQuarterUsPerEvent: round(Number(end - quarterAt) / 1e3 / (n - lastQuarter), 1),
        };
        runs.push(run);
        log(
          `event-indexes ${variant}: ${run.usPerEvent} µs per event appended (${run.lastQuarterUsPerEvent} over the last quarter), ${n} events in transactions of ${o.group}`,
        );
      } finally {
        await db.close();
        removeDir(dir);
      }
    }
  }
  return {
    figures: { runs },
    notes: [
      `${o.events} generated events appended through EventStore.append into a fresh SQLite store (synchronous NORMAL) in transactions of ${o.group}; the audit indexes are ${AUDIT_INDEXES.join(', ')}.`,
    ],
  };
}
