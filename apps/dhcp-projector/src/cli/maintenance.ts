#!/usr/bin/env node
import { join } from 'node:path';
import { maintenanceCli, runMaintenance, type Output } from '@cp/runtime';
import { EventStore, EventTable, openDatabase } from '@cp/store';
import { embeddedDhcpPath, openDhcpReadModel, rebuildDhcp, verifyDhcp } from '../runtime';

/** The event store and the DHCP model of an embedded data directory. */
async function openEmbedded(dataDir: string) {
  const eventsDb = await openDatabase({ kind: 'sqlite', path: join(dataDir, 'events.sqlite') }, [EventTable]);
  const db = await openDhcpReadModel({ kind: 'sqlite', path: embeddedDhcpPath(dataDir) });
  return {
    store: new EventStore(eventsDb),
    db,
    close: async () => {
      await db.close();
      await eventsDb.close();
    },
  };
}

/**
 * node dist/apps/dhcp-projector/src/cli/maintenance.js rebuild|verify --data-dir ./data
 * (embedded layout: <data-dir>/events.sqlite and <data-dir>/dhcp.sqlite).
 */
export function main(argv: string[], out?: Output): Promise<number> {
  return maintenanceCli('dhcp-maintenance', { label: 'DHCP', open: openEmbedded, verify: verifyDhcp, rebuild: rebuildDhcp }, argv, out);
}

if (require.main === module) runMaintenance(main);
