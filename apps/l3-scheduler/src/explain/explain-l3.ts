import type { DomainEvent } from '@cp/events';
import { Causes, type EventLookup, type Explanation } from '@cp/host-feed';
import type { L3Snapshot } from '../contract/l3-documents';

const data = (e: DomainEvent) => e.data as Record<string, unknown>;

/**
 * Provenance of a router in a host's L3 document: why the host runs it (the
 * router, its HA network and VRID, its scheduling there), what state the host
 * reported and which host is active; or, when the router is not there, why.
 */
export class L3Explainer {
  constructor(
    private readonly events: EventLookup,
    private readonly snapshotOf: (host: string) => Promise<L3Snapshot>,
  ) {}

  async router(host: string, routerId: string): Promise<Explanation> {
    const doc = (await this.snapshotOf(host)).routers[routerId];
    const causes = new Causes(this.events);
    const created = await causes.add('router', routerId, {
      RouterCreated: (e) => `router created${data(e).ha ? ' (HA)' : ''}`,
      RouterUpdated: (e) =>
        'ha' in (data(e).changes as object) ? `router made ${(data(e).changes as { ha: boolean }).ha ? 'HA' : 'legacy'}` : null,
      RouterDeleted: () => 'router deleted',
    });
    const answer = (absent?: string): Explanation => ({
      host,
      entry: { router: routerId },
      present: doc !== undefined,
      because: causes.list(),
      ...(doc ? {} : { absent_because: absent ?? `router ${routerId} is not in host ${host}'s document` }),
    });
    if (created.length === 0) return answer(`router ${routerId} does not exist`);

    if (doc?.ha_network_id) {
      await causes.add('ha-network', doc.ha_network_id, {
        HaNetworkCreated: (e) =>
          `HA network ${String(data(e).name)} (${String(data(e).cidr)}) created for project ${String(data(e).projectId)}`,
      });
    }
    await causes.add('ha-network', routerId, {
      VridAllocated: (e) => `VRID ${String(data(e).vrid)} allocated on HA network ${String(data(e).haNetworkId)}`,
      VridReleased: (e) => `VRID ${String(data(e).vrid)} released`,
    });
    // Scheduling and state reports of every host are on one stream: keep this host's, and the active host's report.
    const placement = await causes.add('router-ha', routerId, {});
    const mine = (types: string[]) => placement.filter((e) => types.includes(e.type) && data(e).host === host).at(-1);
    const scheduled = mine(['RouterScheduledToAgent', 'RouterUnscheduledFromAgent']);
    if (scheduled) causes.include(scheduled, 'router-ha', routerId, placementWhy(scheduled));
    const reported = mine(['RouterHaStateReported']);
    if (reported) causes.include(reported, 'router-ha', routerId, placementWhy(reported));
    if (doc?.active_host && doc.active_host !== host) {
      const theirs = placement.filter((e) => e.type === 'RouterHaStateReported' && data(e).host === doc.active_host).at(-1);
      if (theirs) causes.include(theirs, 'router-ha', routerId, placementWhy(theirs));
    }
    const split = placement.filter((e) => e.type === 'RouterSplitBrainDetected' || e.type === 'RouterSplitBrainResolved').at(-1);
    if (split)
      causes.include(
        split,
        'router-ha',
        routerId,
        split.type === 'RouterSplitBrainDetected' ? 'split-brain detected' : 'split-brain resolved',
      );

    if (doc) return answer();
    if (created.at(-1)?.type === 'RouterDeleted') return answer(`router ${routerId} was deleted`);
    if (scheduled?.type === 'RouterUnscheduledFromAgent') {
      return answer(`router ${routerId} was taken off host ${host} (${String(data(scheduled).reason)})`);
    }
    return answer(`router ${routerId} is not scheduled to host ${host}`);
  }
}

function placementWhy(e: DomainEvent): string {
  const d = data(e);
  switch (e.type) {
    case 'RouterScheduledToAgent':
      return `scheduled to host ${String(d.host)} (keepalived priority ${String(d.priority)})`;
    case 'RouterUnscheduledFromAgent':
      return `taken off host ${String(d.host)} (${String(d.reason)})`;
    default:
      return `host ${String(d.host)} reported ${String(d.state)}`;
  }
}
