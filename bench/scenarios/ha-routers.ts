import { ReferenceL3Agent } from '../../apps/l3-scheduler/src/agent/l3-agent';
import { spawnControlPlane } from '../lib/control-plane';
import { Http, pool } from '../lib/http';

export interface HaRoutersOptions {
  routers: number;
  hosts: number;
}

export interface HaRoutersFigures {
  routers: number;
  hosts: number;
  /** API calls to make the routers (network, subnet, router, interface each), and how long they took. */
  setupSeconds: number;
  /** From the last router's interface to every router on 3 agents. */
  scheduledSeconds: number;
  /** keepalived's states reported: one call per host (not one per router and host). */
  haReportCalls: number;
  haReportSeconds: number;
  /** From the first report (they go on while agents act) to every interface port ACTIVE (bound to its router's active host, brought up by that host's agent). */
  activeSeconds: number;
  interfacePorts: number;
  activePorts: number;
  /** One host's keepalived steps down for all its routers: time until their ports are ACTIVE on the new masters. */
  failover: { routers: number; seconds: number; activePorts: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 300_000): Promise<number> {
  const t0 = Date.now();
  while (!(await probe())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not reached in ${timeoutMs / 1000} s`);
    await sleep(200);
  }
  return (Date.now() - t0) / 1000;
}

/**
 * The side-by-side HA workload: `hosts` network nodes, each with the reference
 * L3 agent (it brings up the ports of the routers it is active for), and
 * `routers` HA routers with one tenant subnet each. The harness plays keepalived:
 * the first agent of each router is master, reported in one batched call per
 * host. Measured: scheduling, reporting, and every interface port ACTIVE, then
 * a failover of one host's routers.
 */
export async function runHaRouters(o: HaRoutersOptions, log: (s: string) => void): Promise<{ figures: HaRoutersFigures; notes: string[] }> {
  const cp = await spawnControlPlane();
  const http = new Http(cp.url, 16);
  const hosts = Array.from({ length: o.hosts }, (_, i) => `net-${String(i + 1).padStart(2, '0')}`);
  const agents = hosts.map((host) => new ReferenceL3Agent({ server: cp.url, host, heartbeatSeconds: 30, log: () => undefined }));
  try {
    await Promise.all(agents.map((a) => a.start()));
    log(`${hosts.length} L3 agents registered`);

    const t0 = Date.now();
    const routerIds: string[] = [];
    await pool(o.routers, 8, Number.POSITIVE_INFINITY, async (i) => {
      const net = await http.ok<{ network: { id: string } }>('POST', '/v2.0/networks', { network: { name: `ha-${i}` } });
      const cidr = `10.${Math.floor(i / 250)}.${i % 250}.0/24`;
      const sub = await http.ok<{ subnet: { id: string } }>('POST', '/v2.0/subnets', {
        subnet: { network_id: net.network.id, cidr, ip_version: 4 },
      });
      const router = await http.ok<{ router: { id: string } }>('POST', '/v2.0/routers', { router: { name: `ha-${i}`, ha: true } });
      await http.ok('PUT', `/v2.0/routers/${router.router.id}/add_router_interface`, { subnet_id: sub.subnet.id });
      routerIds.push(router.router.id);
    });
    const setupSeconds = (Date.now() - t0) / 1000;
    log(`${routerIds.length} HA routers with an interface in ${setupSeconds.toFixed(1)} s`);

    const placed = new Map<string, string[]>();
    const scheduledSeconds = await until('every router on 3 agents', async () => {
      for (const id of routerIds) {
        if ((placed.get(id)?.length ?? 0) >= 3) continue;
        const ha = await http.ok<{ router_ha: { agents: Array<{ host: string }> } }>('GET', `/v1/routers/${id}/ha`);
        placed.set(
          id,
          ha.router_ha.agents.map((a) => a.host),
        );
      }
      return routerIds.every((id) => (placed.get(id)?.length ?? 0) >= 3);
    });

    // keepalived: the first agent of each router (by host name) is master.
    const master = new Map(routerIds.map((id) => [id, placed.get(id)![0]]));
    const report = async (byHost: Map<string, Record<string, string>>) => {
      for (const [host, states] of byHost) await http.ok('PUT', `/v1/hosts/${host}/ha_states`, { states });
    };
    const statesByHost = new Map<string, Record<string, string>>();
    for (const id of routerIds) {
      for (const host of placed.get(id)!) {
        const states = statesByHost.get(host) ?? {};
        states[id] = master.get(id) === host ? 'active' : 'standby';
        statesByHost.set(host, states);
      }
    }
    const tr = Date.now();
    await report(statesByHost);
    const haReportSeconds = (Date.now() - tr) / 1000;

    const interfacePorts = async () =>
      (
        await http.ok<{ ports: Array<{ id: string; status: string; device_id: string; 'binding:host_id': string }> }>(
          'GET',
          '/v2.0/ports?device_owner=network:ha_router_replicated_interface',
        )
      ).ports;
    await until('every interface port ACTIVE', async () => (await interfacePorts()).every((p) => p.status === 'ACTIVE'));
    // The agents bring ports up while later hosts still report: measured from the first report.
    const activeSeconds = (Date.now() - tr) / 1000;
    const ports = await interfacePorts();
    log(`${ports.length} interface ports ACTIVE ${activeSeconds.toFixed(1)} s after the first of ${statesByHost.size} report calls`);

    // Failover: the busiest master steps down; the next agent of each of its routers becomes master.
    const victim = hosts.map((h) => ({ h, n: routerIds.filter((id) => master.get(id) === h).length })).sort((a, b) => b.n - a.n)[0].h;
    const moved = routerIds.filter((id) => master.get(id) === victim);
    const stepDown = new Map<string, Record<string, string>>([[victim, Object.fromEntries(moved.map((id) => [id, 'standby']))]]);
    for (const id of moved) {
      const next = placed.get(id)!.find((h) => h !== victim)!;
      stepDown.set(next, { ...(stepDown.get(next) ?? {}), [id]: 'active' });
    }
    const tf = Date.now();
    await report(stepDown);
    await until('moved ports ACTIVE on the new masters', async () => {
      const byRouter = new Map((await interfacePorts()).map((p) => [p.device_id, p]));
      return moved.every((id) => byRouter.get(id)?.status === 'ACTIVE' && byRouter.get(id)?.['binding:host_id'] !== victim);
    });
    const failover = {
      routers: moved.length,
      seconds: (Date.now() - tf) / 1000,
      activePorts: (await interfacePorts()).filter((p) => p.status === 'ACTIVE').length,
    };
    log(`failover of ${moved.length} routers off ${victim}: ports ACTIVE on the new masters in ${failover.seconds.toFixed(1)} s`);

    return {
      figures: {
        routers: routerIds.length,
        hosts: hosts.length,
        setupSeconds,
        scheduledSeconds,
        haReportCalls: statesByHost.size,
        haReportSeconds,
        activeSeconds,
        interfacePorts: ports.length,
        activePorts: ports.filter((p) => p.status === 'ACTIVE').length,
        failover,
      },
      notes: [
        'embedded mode; the reference L3 agents (no kernel) run in the harness process and report ports up',
        'keepalived is played by the harness: the first agent of each router by host name is master',
      ],
    };
  } finally {
    await Promise.all(agents.map((a) => a.stop()));
    http.close();
    await cp.stop();
  }
}
