import { cmp, ipFamily, uniqueSorted } from '../model/rules';
import type { Sql } from '@cp/store';

/** What the read model keeps of a port: what L2 population, ipsets and its host's agent read. */
export interface PortFacts {
  networkId: string;
  mac: string;
  host: string;
  active: boolean;
  deviceOwner: string;
  portSecurity: boolean;
  fixed: string[];
  pairs: string[];
  groups: string[];
}

/**
 * The normalised facts as the event handlers change them. `SqlFacts` writes each
 * change to the tables at once (the views are then derived from the tables);
 * `MemFacts` keeps them in memory during a replay from scratch and writes them
 * all, in key order, when the batch ends. Both leave the same rows.
 */
export interface FactStore {
  putNetwork(id: string, type: string, seg: number | null): Promise<void>;
  deleteNetwork(id: string): Promise<void>;
  loadPort(id: string): Promise<PortFacts | null>;
  savePort(id: string, before: PortFacts | null, after: PortFacts | null): Promise<void>;
  putAgent(id: string, host: string, tunnelIp: string | null): Promise<void>;
  deleteAgent(id: string): Promise<void>;
  putGroup(id: string, projectId: string, isDefault: boolean): Promise<void>;
  /** The group and its rules. */
  deleteGroup(id: string): Promise<void>;
  putRule(id: string, rule: RuleFacts): Promise<void>;
  deleteRule(id: string): Promise<void>;
  setRouterHa(id: string, ha: boolean): Promise<void>;
  putRouterIface(routerId: string, portId: string, networkId: string): Promise<void>;
  deleteRouterIface(routerId: string, portId: string): Promise<void>;
  putRouterHost(routerId: string, host: string): Promise<void>;
  deleteRouterHost(routerId: string, host: string): Promise<void>;
  /** The router, its interfaces and its hosts. */
  deleteRouter(id: string): Promise<void>;
}

export class SqlFacts implements FactStore {
  constructor(private readonly q: Sql) {}

  async putNetwork(id: string, type: string, seg: number | null): Promise<void> {
    await this.q.run(
      `INSERT INTO l2_networks (id, network_type, segmentation_id) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET network_type = excluded.network_type, segmentation_id = excluded.segmentation_id`,
      [id, type, seg],
    );
  }

  async deleteNetwork(id: string): Promise<void> {
    await this.q.run('DELETE FROM l2_networks WHERE id = ?', [id]);
  }

  async loadPort(id: string): Promise<PortFacts | null> {
    const row = await this.q.get<{
      network_id: string;
      mac: string;
      host: string;
      active: number;
      device_owner: string;
      port_security: number;
    }>('SELECT network_id, mac, host, active, device_owner, port_security FROM l2_ports WHERE id = ?', [id]);
    if (!row) return null;
    const ips = await this.q.all<{ kind: string; ip: string }>('SELECT kind, ip FROM l2_port_ips WHERE port_id = ?', [id]);
    const groups = await this.q.all<{ sg_id: string }>('SELECT sg_id FROM l2_port_sgs WHERE port_id = ?', [id]);
    return {
      networkId: row.network_id,
      mac: row.mac,
      host: row.host,
      active: Number(row.active) === 1,
      deviceOwner: row.device_owner,
      portSecurity: Number(row.port_security) === 1,
      fixed: uniqueSorted(ips.filter((i) => i.kind === 'fixed').map((i) => i.ip)),
      pairs: uniqueSorted(ips.filter((i) => i.kind === 'pair').map((i) => i.ip)),
      groups: uniqueSorted(groups.map((g) => g.sg_id)),
    };
  }

  async savePort(id: string, before: PortFacts | null, after: PortFacts | null): Promise<void> {
    const q = this.q;
    if (!after) {
      await q.run('DELETE FROM l2_port_ips WHERE port_id = ?', [id]);
      await q.run('DELETE FROM l2_port_sgs WHERE port_id = ?', [id]);
      await q.run('DELETE FROM l2_ports WHERE id = ?', [id]);
      return;
    }
    await q.run(
      `INSERT INTO l2_ports (id, network_id, mac, host, active, device_owner, port_security) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET network_id = excluded.network_id, mac = excluded.mac, host = excluded.host,
         active = excluded.active, device_owner = excluded.device_owner, port_security = excluded.port_security`,
      [id, after.networkId, after.mac, after.host, after.active ? 1 : 0, after.deviceOwner, after.portSecurity ? 1 : 0],
    );
    // A port's IPs and groups are stored and deleted with its row: a new port has none to delete.
    if (!sameIps(before, after)) {
      if (before) await q.run('DELETE FROM l2_port_ips WHERE port_id = ?', [id]);
      const rows = portIpRows(id, after);
      if (rows.length) {
        await q.run(`INSERT INTO l2_port_ips (port_id, kind, ip, family) VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}`, rows.flat());
      }
    }
    if (!sameList(before?.groups, after.groups)) {
      if (before) await q.run('DELETE FROM l2_port_sgs WHERE port_id = ?', [id]);
      if (after.groups.length) {
        await q.run(
          `INSERT INTO l2_port_sgs (port_id, sg_id) VALUES ${after.groups.map(() => '(?, ?)').join(', ')}`,
          after.groups.flatMap((g) => [id, g]),
        );
      }
    }
  }

  async putAgent(id: string, host: string, tunnelIp: string | null): Promise<void> {
    await this.q.run(
      `INSERT INTO l2_agents (id, host, tunnel_ip) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET host = excluded.host, tunnel_ip = excluded.tunnel_ip`,
      [id, host, tunnelIp],
    );
  }

  async deleteAgent(id: string): Promise<void> {
    await this.q.run('DELETE FROM l2_agents WHERE id = ?', [id]);
  }

  async putGroup(id: string, projectId: string, isDefault: boolean): Promise<void> {
    await this.q.run(
      `INSERT INTO l2_sgs (id, project_id, is_default) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET project_id = excluded.project_id, is_default = excluded.is_default`,
      [id, projectId, isDefault ? 1 : 0],
    );
  }

  async deleteGroup(id: string): Promise<void> {
    await this.q.run('DELETE FROM l2_sg_rules WHERE sg_id = ?', [id]);
    await this.q.run('DELETE FROM l2_sgs WHERE id = ?', [id]);
  }

  async putRule(id: string, r: RuleFacts): Promise<void> {
    await this.q.run(
      `INSERT INTO l2_sg_rules (id, sg_id, ethertype, remote_group_id, spec) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET sg_id = excluded.sg_id, ethertype = excluded.ethertype,
         remote_group_id = excluded.remote_group_id, spec = excluded.spec`,
      [id, r.sgId, r.ethertype, r.remoteGroupId, r.spec],
    );
  }

  async deleteRule(id: string): Promise<void> {
    await this.q.run('DELETE FROM l2_sg_rules WHERE id = ?', [id]);
  }

  async setRouterHa(id: string, ha: boolean): Promise<void> {
    await this.q.run('INSERT INTO l2_routers (id, ha) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET ha = excluded.ha', [id, ha ? 1 : 0]);
  }

  async putRouterIface(routerId: string, portId: string, networkId: string): Promise<void> {
    await this.q.run(
      `INSERT INTO l2_router_ifaces (router_id, port_id, network_id) VALUES (?, ?, ?)
       ON CONFLICT (router_id, port_id) DO UPDATE SET network_id = excluded.network_id`,
      [routerId, portId, networkId],
    );
  }

  async deleteRouterIface(routerId: string, portId: string): Promise<void> {
    await this.q.run('DELETE FROM l2_router_ifaces WHERE router_id = ? AND port_id = ?', [routerId, portId]);
  }

  async putRouterHost(routerId: string, host: string): Promise<void> {
    await this.q.run('INSERT INTO l2_router_hosts (router_id, host) VALUES (?, ?) ON CONFLICT (router_id, host) DO NOTHING', [
      routerId,
      host,
    ]);
  }

  async deleteRouterHost(routerId: string, host: string): Promise<void> {
    await this.q.run('DELETE FROM l2_router_hosts WHERE router_id = ? AND host = ?', [routerId, host]);
  }

  async deleteRouter(id: string): Promise<void> {
    await this.q.run('DELETE FROM l2_router_ifaces WHERE router_id = ?', [id]);
    await this.q.run('DELETE FROM l2_router_hosts WHERE router_id = ?', [id]);
    await this.q.run('DELETE FROM l2_routers WHERE id = ?', [id]);
  }
}

export interface RuleFacts {
  sgId: string;
  ethertype: string;
  remoteGroupId: string | null;
  /** JSON of the rest of the rule (ruleSpec), read only by the host's firewall. */
  spec: string;
}

/**
 * The facts of a model replayed from scratch, in memory until the batch ends
 * (the model was empty when it began): then `write` stores them in key order,
 * and the views are derived from them without reading anything back.
 */
export class MemFacts implements FactStore {
  readonly networks = new Map<string, { type: string; seg: number | null }>();
  readonly ports = new Map<string, PortFacts>();
  readonly agents = new Map<string, { host: string; tunnelIp: string | null }>();
  readonly groups = new Map<string, { projectId: string; isDefault: boolean }>();
  readonly rules = new Map<string, RuleFacts>();
  readonly routers = new Map<string, boolean>();
  /** Router → port → network. */
  readonly routerIfaces = new Map<string, Map<string, string>>();
  readonly routerHosts = new Map<string, Set<string>>();

  // In memory, each change is done when the method returns: the promises only satisfy FactStore.
  putNetwork(id: string, type: string, seg: number | null): Promise<void> {
    this.networks.set(id, { type, seg });
    return Promise.resolve();
  }

  deleteNetwork(id: string): Promise<void> {
    this.networks.delete(id);
    return Promise.resolve();
  }

  loadPort(id: string): Promise<PortFacts | null> {
    return Promise.resolve(this.ports.get(id) ?? null);
  }

  savePort(id: string, _before: PortFacts | null, after: PortFacts | null): Promise<void> {
    if (after) this.ports.set(id, after);
    else this.ports.delete(id);
    return Promise.resolve();
  }

  putAgent(id: string, host: string, tunnelIp: string | null): Promise<void> {
    this.agents.set(id, { host, tunnelIp });
    return Promise.resolve();
  }

  deleteAgent(id: string): Promise<void> {
    this.agents.delete(id);
    return Promise.resolve();
  }

  putGroup(id: string, projectId: string, isDefault: boolean): Promise<void> {
    this.groups.set(id, { projectId, isDefault });
    return Promise.resolve();
  }

  deleteGroup(id: string): Promise<void> {
    for (const [ruleId, r] of this.rules) if (r.sgId === id) this.rules.delete(ruleId);
    this.groups.delete(id);
    return Promise.resolve();
  }

  putRule(id: string, rule: RuleFacts): Promise<void> {
    this.rules.set(id, rule);
    return Promise.resolve();
  }

  deleteRule(id: string): Promise<void> {
    this.rules.delete(id);
    return Promise.resolve();
  }

  setRouterHa(id: string, ha: boolean): Promise<void> {
    this.routers.set(id, ha);
    return Promise.resolve();
  }

  putRouterIface(routerId: string, portId: string, networkId: string): Promise<void> {
    let ifaces = this.routerIfaces.get(routerId);
    if (!ifaces) this.routerIfaces.set(routerId, (ifaces = new Map<string, string>()));
    ifaces.set(portId, networkId);
    return Promise.resolve();
  }

  deleteRouterIface(routerId: string, portId: string): Promise<void> {
    const ifaces = this.routerIfaces.get(routerId);
    ifaces?.delete(portId);
    if (ifaces?.size === 0) this.routerIfaces.delete(routerId);
    return Promise.resolve();
  }

  putRouterHost(routerId: string, host: string): Promise<void> {
    let hosts = this.routerHosts.get(routerId);
    if (!hosts) this.routerHosts.set(routerId, (hosts = new Set()));
    hosts.add(host);
    return Promise.resolve();
  }

  deleteRouterHost(routerId: string, host: string): Promise<void> {
    const hosts = this.routerHosts.get(routerId);
    hosts?.delete(host);
    if (hosts?.size === 0) this.routerHosts.delete(routerId);
    return Promise.resolve();
  }

  deleteRouter(id: string): Promise<void> {
    this.routerIfaces.delete(id);
    this.routerHosts.delete(id);
    this.routers.delete(id);
    return Promise.resolve();
  }

  /** Stores every fact, table by table in primary-key order (the B-trees are appended to). */
  async write(q: Sql): Promise<void> {
    const byKey = <V>(m: Map<string, V>): Array<[string, V]> => [...m].sort((a, b) => cmp(a[0], b[0]));
    const networks = new Inserter(q, 'l2_networks', ['id', 'network_type', 'segmentation_id']);
    for (const [id, n] of byKey(this.networks)) await networks.add(id, n.type, n.seg);
    await networks.flush();

    const ports = new Inserter(q, 'l2_ports', ['id', 'network_id', 'mac', 'host', 'active', 'device_owner', 'port_security']);
    const ips = new Inserter(q, 'l2_port_ips', ['port_id', 'kind', 'ip', 'family']);
    const sgs = new Inserter(q, 'l2_port_sgs', ['port_id', 'sg_id']);
    for (const [id, p] of byKey(this.ports)) {
      if (ports.push(id, p.networkId, p.mac, p.host, p.active ? 1 : 0, p.deviceOwner, p.portSecurity ? 1 : 0)) await ports.flush();
      // Key order (port, kind, ip): 'fixed' < 'pair', each list sorted already.
      for (const ip of p.fixed) if (ips.push(id, 'fixed', ip, ipFamily(ip))) await ips.flush();
      for (const ip of p.pairs) if (ips.push(id, 'pair', ip, ipFamily(ip))) await ips.flush();
      for (const g of p.groups) if (sgs.push(id, g)) await sgs.flush();
    }
    await ports.flush();
    await ips.flush();
    await sgs.flush();

    const agents = new Inserter(q, 'l2_agents', ['id', 'host', 'tunnel_ip']);
    for (const [id, a] of byKey(this.agents)) await agents.add(id, a.host, a.tunnelIp);
    await agents.flush();
    const groups = new Inserter(q, 'l2_sgs', ['id', 'project_id', 'is_default']);
    for (const [id, g] of byKey(this.groups)) await groups.add(id, g.projectId, g.isDefault ? 1 : 0);
    await groups.flush();
    const rules = new Inserter(q, 'l2_sg_rules', ['id', 'sg_id', 'ethertype', 'remote_group_id', 'spec']);
    for (const [id, r] of byKey(this.rules)) await rules.add(id, r.sgId, r.ethertype, r.remoteGroupId, r.spec);
    await rules.flush();
    const routers = new Inserter(q, 'l2_routers', ['id', 'ha']);
    for (const [id, ha] of byKey(this.routers)) await routers.add(id, ha ? 1 : 0);
    await routers.flush();
    const ifaces = new Inserter(q, 'l2_router_ifaces', ['router_id', 'port_id', 'network_id']);
    for (const [routerId, m] of byKey(this.routerIfaces))
      for (const [portId, networkId] of byKey(m)) await ifaces.add(routerId, portId, networkId);
    await ifaces.flush();
    const hosts = new Inserter(q, 'l2_router_hosts', ['router_id', 'host']);
    for (const [routerId, s] of byKey(this.routerHosts)) for (const host of [...s].sort(cmp)) await hosts.add(routerId, host);
    await hosts.flush();
  }
}

function portIpRows(id: string, p: PortFacts): Array<[string, string, string, number]> {
  return [
    ...p.fixed.map((ip): [string, string, string, number] => [id, 'fixed', ip, ipFamily(ip)]),
    ...p.pairs.map((ip): [string, string, string, number] => [id, 'pair', ip, ipFamily(ip)]),
  ];
}

export function sameIps(a: PortFacts | null | undefined, b: PortFacts | null | undefined): boolean {
  return sameList(a?.fixed, b?.fixed) && sameList(a?.pairs, b?.pairs);
}

export function sameList(a: string[] | undefined, b: string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Multi-row INSERTs of a fixed size (one cached prepared statement), then one for
 * the rest. `push` buffers a row and says when a statement's worth is waiting:
 * `if (rows.push(...)) await rows.flush()`, so rows cost no promise each.
 */
export class Inserter {
  /** A fixed buffer of one statement's values, filled up to `n`. */
  private readonly values: unknown[];
  private n = 0;
  private readonly fullSql: string;

  constructor(
    private readonly q: Sql,
    private readonly table: string,
    private readonly columns: string[],
  ) {
    // Well under SQLite's 32766 and PostgreSQL's 65535 bound parameters.
    this.values = new Array<unknown>(Math.floor(4000 / columns.length) * columns.length).fill(null);
    this.fullSql = this.sql(this.values.length / columns.length);
  }

  /** Buffers one row (as many values as columns); true when a statement's worth is waiting. */
  push(a: unknown, b: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown): boolean {
    const v = this.values;
    const width = this.columns.length;
    v[this.n] = a;
    v[this.n + 1] = b;
    if (width > 2) v[this.n + 2] = c;
    if (width > 3) v[this.n + 3] = d;
    if (width > 4) v[this.n + 4] = e;
    if (width > 5) v[this.n + 5] = f;
    if (width > 6) v[this.n + 6] = g;
    this.n += width;
    return this.n >= v.length;
  }

  async add(a: unknown, b: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown, g?: unknown): Promise<void> {
    if (this.push(a, b, c, d, e, f, g)) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.n === 0) return;
    const full = this.n === this.values.length;
    const values = full ? this.values : this.values.slice(0, this.n);
    this.n = 0;
    await this.q.run(full ? this.fullSql : this.sql(values.length / this.columns.length), values);
  }

  private sql(rows: number): string {
    const tuple = `(${this.columns.map(() => '?').join(', ')})`;
    return `INSERT INTO ${this.table} (${this.columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
  }
}
