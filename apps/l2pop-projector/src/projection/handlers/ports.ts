import type { EventOfType } from '../../../../../libs/events/src';
import { ipFamily, uniqueSorted } from '../../model/rules';
import type { Impact } from '../impact';
import type { TxSql } from '../sql';

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

/** What the read model keeps of a port: only what L2 population and ipsets read. */
export interface PortFacts {
  networkId: string;
  mac: string;
  host: string;
  active: boolean;
  deviceOwner: string;
  fixed: string[];
  pairs: string[];
  groups: string[];
}

export async function applyPortEvent(q: TxSql, event: PortEvent, impact: Impact): Promise<void> {
  const id = event.data.id;
  const before = await loadPort(q, id);
  const after = next(before, event);
  if (after === undefined) return;
  await savePort(q, id, before, after);

  const hosts = [before?.host, after?.host];
  impact.network(event.data.networkId, hosts);
  if (!sameList(before?.groups, after?.groups) || !sameIps(before, after)) {
    for (const g of uniqueSorted([...(before?.groups ?? []), ...(after?.groups ?? [])])) impact.group(g);
  }
  if (!sameList(before?.groups, after?.groups) || before?.host !== after?.host) {
    for (const h of hosts) impact.hostSets(h);
  }
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
        deviceOwner: c.deviceOwner ?? before.deviceOwner,
        fixed: c.fixedIps ? uniqueSorted(c.fixedIps.map((f) => f.ipAddress)) : before.fixed,
        pairs: c.allowedAddressPairs ? uniqueSorted(c.allowedAddressPairs.map((p) => p.ipAddress)) : before.pairs,
        groups: c.securityGroups ? uniqueSorted(c.securityGroups) : before.groups,
      };
    }
    case 'PortBoundToHost':
      // DOWN until the (new) host's agent reports it up (DESIGN.md 4), as the port decider folds it.
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

export async function loadPort(q: TxSql, id: string): Promise<PortFacts | null> {
  const row = await q.get<{ network_id: string; mac: string; host: string; active: number; device_owner: string }>(
    'SELECT network_id, mac, host, active, device_owner FROM l2_ports WHERE id = ?',
    [id],
  );
  if (!row) return null;
  const ips = await q.all<{ kind: string; ip: string }>('SELECT kind, ip FROM l2_port_ips WHERE port_id = ?', [id]);
  const groups = await q.all<{ sg_id: string }>('SELECT sg_id FROM l2_port_sgs WHERE port_id = ?', [id]);
  return {
    networkId: row.network_id,
    mac: row.mac,
    host: row.host,
    active: Number(row.active) === 1,
    deviceOwner: row.device_owner,
    fixed: uniqueSorted(ips.filter((i) => i.kind === 'fixed').map((i) => i.ip)),
    pairs: uniqueSorted(ips.filter((i) => i.kind === 'pair').map((i) => i.ip)),
    groups: uniqueSorted(groups.map((g) => g.sg_id)),
  };
}

async function savePort(q: TxSql, id: string, before: PortFacts | null, after: PortFacts | null): Promise<void> {
  if (!after) {
    await q.run('DELETE FROM l2_port_ips WHERE port_id = ?', [id]);
    await q.run('DELETE FROM l2_port_sgs WHERE port_id = ?', [id]);
    await q.run('DELETE FROM l2_ports WHERE id = ?', [id]);
    return;
  }
  await q.run(
    `INSERT INTO l2_ports (id, network_id, mac, host, active, device_owner) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET network_id = excluded.network_id, mac = excluded.mac, host = excluded.host,
       active = excluded.active, device_owner = excluded.device_owner`,
    [id, after.networkId, after.mac, after.host, after.active ? 1 : 0, after.deviceOwner],
  );
  if (!sameIps(before, after)) {
    await q.run('DELETE FROM l2_port_ips WHERE port_id = ?', [id]);
    const rows = [
      ...after.fixed.map((ip) => [id, 'fixed', ip, ipFamily(ip)]),
      ...after.pairs.map((ip) => [id, 'pair', ip, ipFamily(ip)]),
    ];
    if (rows.length) {
      await q.run(`INSERT INTO l2_port_ips (port_id, kind, ip, family) VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}`, rows.flat());
    }
  }
  if (!sameList(before?.groups, after.groups)) {
    await q.run('DELETE FROM l2_port_sgs WHERE port_id = ?', [id]);
    if (after.groups.length) {
      await q.run(
        `INSERT INTO l2_port_sgs (port_id, sg_id) VALUES ${after.groups.map(() => '(?, ?)').join(', ')}`,
        after.groups.flatMap((g) => [id, g]),
      );
    }
  }
}

function sameIps(a: PortFacts | null | undefined, b: PortFacts | null | undefined): boolean {
  return sameList(a?.fixed, b?.fixed) && sameList(a?.pairs, b?.pairs);
}

function sameList(a: string[] | undefined, b: string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
