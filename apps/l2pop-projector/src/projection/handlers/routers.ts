import type { EventOfType } from '@cp/events';
import type { Batch } from '../batch';
import type { Impact } from '../impact';
import type { Sql } from '@cp/store';

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
export async function applyRouterEvent({ q, facts, impact }: Batch, event: RouterEvent): Promise<void> {
  const routerId =
    event.type === 'RouterScheduledToAgent' || event.type === 'RouterUnscheduledFromAgent' ? event.data.routerId : event.data.id;
  // Keys touched before the change (what the router had) and after it (what it has).
  await touch(q, routerId, impact);
  switch (event.type) {
    case 'RouterCreated':
      await facts.setRouterHa(routerId, event.data.ha);
      break;
    case 'RouterUpdated':
      if (event.data.changes.ha !== undefined) await facts.setRouterHa(routerId, event.data.changes.ha);
      break;
    case 'RouterInterfaceAdded':
      await facts.putRouterIface(routerId, event.data.portId, event.data.networkId);
      break;
    case 'RouterInterfaceRemoved':
      await facts.deleteRouterIface(routerId, event.data.portId);
      break;
    case 'RouterScheduledToAgent':
      await facts.putRouterHost(routerId, event.data.host);
      break;
    case 'RouterUnscheduledFromAgent':
      await facts.deleteRouterHost(routerId, event.data.host);
      break;
    case 'RouterDeleted':
      await facts.deleteRouter(routerId);
      break;
  }
  await touch(q, routerId, impact);
}

/** Names every (interface network, hosting host) pair of the router. */
async function touch(q: Sql, routerId: string, impact: Impact): Promise<void> {
  if (!impact.tracking) return;
  const nets = await q.all<{ network_id: string }>('SELECT network_id FROM l2_router_ifaces WHERE router_id = ?', [routerId]);
  const hosts = await q.all<{ host: string }>('SELECT host FROM l2_router_hosts WHERE router_id = ?', [routerId]);
  for (const n of nets)
    impact.network(
      n.network_id,
      hosts.map((h) => h.host),
    );
}
