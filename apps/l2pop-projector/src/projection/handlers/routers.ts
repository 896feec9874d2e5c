import type { EventOfType } from '../../../../../libs/events/src';
import type { Impact } from '../impact';
import type { TxSql } from '../sql';

export const ROUTER_EVENTS = [
  'RouterCreated',
  'RouterUpdated',
  'RouterInterfaceAdded',
  'RouterInterfaceRemoved',
  'RouterDeleted',
  'RouterScheduledToAgent',
  'RouterUnscheduledFromAgent',
] as const;
type RouterEvent = EventOfType<(typeof ROUTER_EVENTS)[number]>;

/**
 * HA routers make the hosts running them flood members of the networks they
 * have interfaces on. Router, interface and scheduling events share the project
 * partition key, so they arrive in order among themselves; ports do not.
 */
export async function applyRouterEvent(q: TxSql, event: RouterEvent, impact: Impact): Promise<void> {
  const routerId = event.type === 'RouterScheduledToAgent' || event.type === 'RouterUnscheduledFromAgent'
    ? event.data.routerId
    : event.data.id;
  // Keys touched before the change (what the router had) and after it (what it has).
  await touch(q, routerId, impact);
  switch (event.type) {
    case 'RouterCreated':
      await setHa(q, routerId, event.data.ha);
      break;
    case 'RouterUpdated':
      if (event.data.changes.ha !== undefined) await setHa(q, routerId, event.data.changes.ha);
      break;
    case 'RouterInterfaceAdded':
      await q.run(
        `INSERT INTO l2_router_ifaces (router_id, port_id, network_id) VALUES (?, ?, ?)
         ON CONFLICT (router_id, port_id) DO UPDATE SET network_id = excluded.network_id`,
        [routerId, event.data.portId, event.data.networkId],
      );
      break;
    case 'RouterInterfaceRemoved':
      await q.run('DELETE FROM l2_router_ifaces WHERE router_id = ? AND port_id = ?', [routerId, event.data.portId]);
      break;
    case 'RouterScheduledToAgent':
      await q.run(
        'INSERT INTO l2_router_hosts (router_id, host) VALUES (?, ?) ON CONFLICT (router_id, host) DO NOTHING',
        [routerId, event.data.host],
      );
      break;
    case 'RouterUnscheduledFromAgent':
      await q.run('DELETE FROM l2_router_hosts WHERE router_id = ? AND host = ?', [routerId, event.data.host]);
      break;
    case 'RouterDeleted':
      await q.run('DELETE FROM l2_router_ifaces WHERE router_id = ?', [routerId]);
      await q.run('DELETE FROM l2_router_hosts WHERE router_id = ?', [routerId]);
      await q.run('DELETE FROM l2_routers WHERE id = ?', [routerId]);
      break;
  }
  await touch(q, routerId, impact);
}

async function setHa(q: TxSql, routerId: string, ha: boolean): Promise<void> {
  await q.run('INSERT INTO l2_routers (id, ha) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET ha = excluded.ha', [
    routerId,
    ha ? 1 : 0,
  ]);
}

/** Names every (interface network, hosting host) pair of the router. */
async function touch(q: TxSql, routerId: string, impact: Impact): Promise<void> {
  const nets = await q.all<{ network_id: string }>('SELECT network_id FROM l2_router_ifaces WHERE router_id = ?', [routerId]);
  const hosts = await q.all<{ host: string }>('SELECT host FROM l2_router_hosts WHERE router_id = ?', [routerId]);
  for (const n of nets) impact.network(n.network_id, hosts.map((h) => h.host));
}
