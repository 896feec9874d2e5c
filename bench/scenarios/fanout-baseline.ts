import type { Database } from '@cp/store';

/** Neutron's FLOODING_ENTRY, as l2pop sends it (n_const.FLOODING_ENTRY). */
const FLOODING_ENTRY = ['00:00:00:00:00:00', '0.0.0.0'];

export interface BaselineCost {
  notifications: number;
  bytes: number;
}

/**
 * What Neutron's l2pop mechanism driver sends for the same port-up
 * (neutron/plugins/ml2/drivers/l2pop/mech_driver.py, update_port_up): one
 * add_fdb_entries fanout cast that every L2 agent receives, carrying the port's
 * [mac, ip] (plus the flooding entry when it is the host's first port on the
 * network), and for a first port also a cast to that host with the network's
 * whole FDB. Sizes count the RPC method and arguments only, not oslo.messaging's
 * envelope and request context, so the baseline is a lower bound.
 */
export async function neutronPortUp(
  db: Database,
  o: {
    networkId: string;
    segmentationId: number;
    host: string;
    tunnelIp: string;
    mac: string;
    ip: string;
    l2Agents: number;
    firstOnHost: boolean;
  },
): Promise<BaselineCost> {
  const net = { segment_id: o.segmentationId, network_type: 'vxlan' };
  const own: unknown[] = o.firstOnHost ? [FLOODING_ENTRY, [o.mac, o.ip]] : [[o.mac, o.ip]];
  const fanout = rpc({ [o.networkId]: { ...net, ports: { [o.tunnelIp]: own } } });
  let notifications = o.l2Agents;
  let bytes = o.l2Agents * fanout;
  if (o.firstOnHost) {
    const others = await db.all<{ host: string; tunnel_ip: string; entries: string }>(
      'SELECT host, tunnel_ip, entries FROM l2_members WHERE network_id = ? AND host <> ? AND deleted = 0',
      [o.networkId, o.host],
    );
    const ports: Record<string, unknown[]> = {};
    for (const m of others) ports[m.tunnel_ip] = [FLOODING_ENTRY, ...(JSON.parse(m.entries) as unknown[])];
    if (others.length > 0) {
      notifications += 1;
      bytes += rpc({ [o.networkId]: { ...net, ports } });
    }
  }
  return { notifications, bytes };
}

const rpc = (fdbEntries: unknown) => Buffer.byteLength(JSON.stringify({ method: 'add_fdb_entries', args: { fdb_entries: fdbEntries } }));
