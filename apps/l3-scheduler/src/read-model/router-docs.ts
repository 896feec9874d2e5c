import { cmp, groupBy, inChunks, placeholders, type Database, type Tx } from '@cp/store';
import type { HaState, L3Interface, L3RouterDoc } from '../contract/l3-documents';

interface BindingRow {
  router_id: string;
  agent_id: string;
  host: string;
  priority: number;
  ha_port_id: string | null;
  state: HaState;
  state_pos: number | string;
}

/**
 * Who is active: the first of the bindings reporting active to have become so
 * (the lowest report position; the placement decider keeps the same order), so
 * a second host claiming the router does not take it over. Two or more actives
 * is split-brain: every document names the authoritative host, and an agent
 * whose keepalived is master while another host is named steps down.
 */
export function activeOf(bindings: ReadonlyArray<Pick<BindingRow, 'host' | 'state' | 'state_pos'>>): {
  activeHost: string | null;
  splitBrain: boolean;
} {
  const actives = bindings.filter((b) => b.state === 'active');
  const first = [...actives].sort((a, b) => Number(a.state_pos) - Number(b.state_pos) || cmp(a.host, b.host))[0];
  return { activeHost: first?.host ?? null, splitBrain: actives.length > 1 };
}

/**
 * The documents of the routers bound to `host` (all of them, or those in `only`),
 * assembled from the normalised tables (in `tx` when the feed reads under churn).
 */
export async function routerDocs(
  db: Database,
  tx: Tx | undefined,
  host: string,
  only?: readonly string[],
): Promise<Map<string, L3RouterDoc>> {
  const wanted = only ? new Set(only) : null;
  const mine = (await db.all<BindingRow>('SELECT * FROM l3_bindings WHERE host = ?', [host], tx)).filter(
    (b) => !wanted || wanted.has(b.router_id),
  );
  const ids = mine.map((b) => b.router_id);
  const q = <T>(sql: (ph: string) => string) => inChunks(ids, (c) => db.all<T>(sql(placeholders(c.length)), c, tx));
  const routers = byKey(
    await q<{ id: string; project_id: string; name: string; admin_state_up: number }>(
      (ph) => `SELECT * FROM l3_routers WHERE id IN (${ph})`,
    ),
    (r) => r.id,
  );
  const vrids = byKey(
    await q<{ router_id: string; ha_network_id: string; vrid: number; cidr: string | null }>(
      (ph) =>
        `SELECT v.router_id, v.ha_network_id, v.vrid, n.cidr FROM l3_vrids v LEFT JOIN l3_ha_networks n ON n.id = v.ha_network_id WHERE v.router_id IN (${ph})`,
    ),
    (r) => r.router_id,
  );
  const peers = groupBy(await q<BindingRow>((ph) => `SELECT * FROM l3_bindings WHERE router_id IN (${ph})`), (b) => b.router_id);
  const ifaces = groupBy(
    await q<{ router_id: string; port_id: string; network_id: string }>(
      (ph) => `SELECT * FROM l3_router_ifaces WHERE router_id IN (${ph})`,
    ),
    (r) => r.router_id,
  );
  const ifaceSubnets = groupBy(
    await q<{ router_id: string; port_id: string; subnet_id: string; cidr: string | null; gateway_ip: string | null }>(
      (ph) => `SELECT i.router_id, i.port_id, i.subnet_id, s.cidr, s.gateway_ip FROM l3_router_iface_subnets i
               LEFT JOIN l3_subnets s ON s.id = i.subnet_id WHERE i.router_id IN (${ph})`,
    ),
    (r) => `${r.router_id}\u0000${r.port_id}`,
  );
  const gateways = byKey(
    await q<{ router_id: string; network_id: string; port_id: string; enable_snat: number; external_fixed_ips: string }>(
      (ph) => `SELECT * FROM l3_router_gateways WHERE router_id IN (${ph})`,
    ),
    (r) => r.router_id,
  );
  const floatingIps = groupBy(
    await q<{ router_id: string; id: string; floating_ip: string; fixed_ip: string; port_id: string }>(
      (ph) => `SELECT * FROM l3_floating_ips WHERE router_id IN (${ph})`,
    ),
    (r) => r.router_id,
  );
  const portIds = mine.map((b) => b.ha_port_id).filter((p): p is string => p !== null);
  const ports = byKey(
    await inChunks(portIds, (c) =>
      db.all<{ id: string; mac: string; ip: string }>(`SELECT id, mac, ip FROM l3_ha_ports WHERE id IN (${placeholders(c.length)})`, c, tx),
    ),
    (p) => p.id,
  );

  const docs = new Map<string, L3RouterDoc>();
  for (const b of [...mine].sort((x, y) => cmp(x.router_id, y.router_id))) {
    const r = routers.get(b.router_id);
    const v = vrids.get(b.router_id);
    const port = b.ha_port_id ? ports.get(b.ha_port_id) : undefined;
    const gw = gateways.get(b.router_id);
    const { activeHost, splitBrain } = activeOf(peers.get(b.router_id) ?? []);
    const interfaces: L3Interface[] = (ifaces.get(b.router_id) ?? [])
      .sort((x, y) => cmp(x.port_id, y.port_id))
      .map((i) => ({
        port_id: i.port_id,
        network_id: i.network_id,
        subnets: (ifaceSubnets.get(`${i.router_id}\u0000${i.port_id}`) ?? [])
          .sort((x, y) => cmp(x.subnet_id, y.subnet_id))
          .map((s) => ({ id: s.subnet_id, cidr: s.cidr ?? null, gateway_ip: s.gateway_ip ?? null })),
      }));
    docs.set(b.router_id, {
      ha: b.ha_port_id !== null,
      project_id: r?.project_id ?? null,
      name: r?.name ?? null,
      admin_state_up: r ? Number(r.admin_state_up) === 1 : null,
      ha_network_id: v?.ha_network_id ?? null,
      ha_cidr: v?.cidr ?? null,
      vrid: v ? Number(v.vrid) : null,
      agent_id: b.agent_id,
      priority: Number(b.priority),
      state: b.state,
      ha_port: b.ha_port_id ? { id: b.ha_port_id, mac_address: port?.mac ?? null, ip_address: port?.ip ?? null } : null,
      interfaces,
      gateway: gw
        ? {
            network_id: gw.network_id,
            port_id: gw.port_id,
            enable_snat: Number(gw.enable_snat) === 1,
            external_fixed_ips: (JSON.parse(gw.external_fixed_ips) as Array<{ subnetId: string; ipAddress: string }>).map((ip) => ({
              subnet_id: ip.subnetId,
              ip_address: ip.ipAddress,
            })),
          }
        : null,
      floating_ips: (floatingIps.get(b.router_id) ?? [])
        .sort((x, y) => cmp(x.id, y.id))
        .map((f) => ({ id: f.id, floating_ip_address: f.floating_ip, fixed_ip_address: f.fixed_ip, port_id: f.port_id })),
      active_host: activeHost,
      split_brain: splitBrain,
    });
  }
  return docs;
}

function byKey<T>(rows: T[], key: (r: T) => string): Map<string, T> {
  return new Map(rows.map((r) => [key(r), r]));
}
