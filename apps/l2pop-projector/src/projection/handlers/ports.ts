import type { EventOfType } from '@cp/events';
import { uniqueSorted } from '../../model/rules';
import type { Batch } from '../batch';
import { sameIps, sameList, type PortFacts } from '../facts';
import { adjustSetMembers } from '../../views/set-members';

export const PORT_EVENTS = [
  'PortCreated',
  'PortUpdated',
  'PortBoundToHost',
  'PortUnbound',
  'PortActivated',
  'PortDeactivated',
  'PortDeleted',
] as const;
type PortEvent = EventOfType<(typeof PORT_EVENTS)[number]>;

export async function applyPortEvent(b: Batch, event: PortEvent): Promise<void> {
  const { impact } = b;
  const id = event.data.id;
  const before = await b.port(id);
  const after = next(before, event);
  b.rememberPort(id, after === undefined ? before : after);
  if (after === undefined) return;
  await b.facts.savePort(id, before, after);
  if (!impact.tracking) return;

  const hosts = [before?.host, after?.host];
  impact.network(event.data.networkId, hosts);
  if (!sameLocal(before, after)) for (const h of hosts) impact.local(h);
  if (!sameList(before?.groups, after?.groups) || !sameIps(before, after)) await adjustSetMembers(b.q, impact, before, after);
  if (!sameList(before?.groups, after?.groups) || before?.host !== after?.host) {
    for (const h of hosts) impact.hostSets(h);
  }
}

/** Whether the port's document on its host (query/local-ports.ts) is unchanged: all but `active`. */
function sameLocal(a: PortFacts | null, b: PortFacts | null): boolean {
  if (!a || !b) return a === b;
  return (
    a.networkId === b.networkId &&
    a.mac === b.mac &&
    a.host === b.host &&
    a.deviceOwner === b.deviceOwner &&
    a.portSecurity === b.portSecurity &&
    sameIps(a, b) &&
    sameList(a.groups, b.groups)
  );
}

/** The port's facts after the event; null once deleted; undefined when the event does not apply. */
function next(before: PortFacts | null, event: PortEvent): PortFacts | null | undefined {
  if (event.type === 'PortCreated') {
    const d = event.data;
    return {
      networkId: d.networkId,
      mac: d.macAddress,
      host: d.hostId,
      // A new port is DOWN until its host's agent reports it up.
      active: false,
      deviceOwner: d.deviceOwner,
      portSecurity: d.portSecurityEnabled,
      fixed: uniqueSorted(d.fixedIps.map((f) => f.ipAddress)),
      pairs: uniqueSorted(d.allowedAddressPairs.map((p) => p.ipAddress)),
      groups: uniqueSorted(d.securityGroups),
    };
  }
  if (event.type === 'PortDeleted') return null;
  if (!before) return undefined;
  switch (event.type) {
    case 'PortUpdated': {
      const c = event.data.changes;
      return {
        ...before,
        mac: c.macAddress ?? before.mac,
        deviceOwner: c.deviceOwner ?? before.deviceOwner,
        portSecurity: c.portSecurityEnabled ?? before.portSecurity,
        fixed: c.fixedIps ? uniqueSorted(c.fixedIps.map((f) => f.ipAddress)) : before.fixed,
        pairs: c.allowedAddressPairs ? uniqueSorted(c.allowedAddressPairs.map((p) => p.ipAddress)) : before.pairs,
        groups: c.securityGroups ? uniqueSorted(c.securityGroups) : before.groups,
      };
    }
    case 'PortBoundToHost':
      // DOWN until the (new) host's agent reports it up (design.md §4), as the port decider folds it.
      return { ...before, host: event.data.host, active: false };
    case 'PortUnbound':
      return { ...before, host: '', active: false };
    case 'PortActivated':
      // A report from a host the port is no longer bound to is stale.
      return before.host === event.data.host ? { ...before, active: true } : before;
    case 'PortDeactivated':
      return { ...before, active: false };
  }
}
