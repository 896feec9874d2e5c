import { cpuSeconds, type ControlPlane } from '../lib/control-plane';
import { Http, pool } from '../lib/http';
import { msSince, round, summarise, type Summary } from '../lib/stats';
import { sizeWeightedPicker, type Layout } from '../scenario/layout';
import type { Rng } from '../scenario/rng';

/** What `level` needs of the scenario's options. */
export interface LevelOptions {
  ops: number;
  levelSeconds: number;
  /** Sent with every request: the caller's token in Keystone mode (none: noauth admin). */
  headers?: Record<string, string>;
}

export interface ApiLevel {
  concurrency: number;
  lifecycles: number;
  operations: number;
  errors: number;
  seconds: number;
  opsPerSecond: number;
  /** Control-plane CPU used per operation, ms (from /proc): what the server pays, client aside. */
  serverCpuMsPerOp: number;
  latencyMs: { create: Summary; bind: Summary; up: Summary };
}

/** One lifecycle: create on a network (new ports land where ports are), bind to one of its hosts, report it up. */
function lifecycle(
  http: Http,
  layout: Layout,
  pick: () => { network: Layout['networks'][number]; host: string },
  lat: Record<'create' | 'bind' | 'up', number[]>,
  errors: { n: number },
) {
  return async () => {
    const { network, host } = pick();
    const project = layout.projects[network.project].id;
    try {
      let t = process.hrtime.bigint();
      const created = await http.ok<{ port: { id: string } }>('POST', '/v2.0/ports', {
        port: { network_id: network.id, project_id: project, device_owner: 'compute:nova', device_id: `vm-bench-${t}` },
      });
      lat.create.push(msSince(t));
      t = process.hrtime.bigint();
      await http.ok('PUT', `/v2.0/ports/${created.port.id}`, { port: { 'binding:host_id': host } });
      lat.bind.push(msSince(t));
      t = process.hrtime.bigint();
      await http.ok('POST', `/v1/hosts/${encodeURIComponent(host)}/ports/${created.port.id}/up`);
      lat.up.push(msSince(t));
    } catch {
      errors.n++;
    }
  };
}

/** Drives `o.ops` lifecycles (or `o.levelSeconds`' worth) at `concurrency` and summarises them. */
export async function level(cp: ControlPlane, layout: Layout, concurrency: number, o: LevelOptions, rng: Rng): Promise<ApiLevel> {
  const http = new Http(cp.url, concurrency, o.headers);
  const weighted = sizeWeightedPicker(layout, rng);
  const pick = () => {
    const network = weighted();
    return { network, host: layout.hosts[network.span[rng.int(network.span.length)]].name };
  };
  const lat = { create: [] as number[], bind: [] as number[], up: [] as number[] };
  const errors = { n: 0 };
  const run = lifecycle(http, layout, pick, lat, errors);
  const cpu0 = cpuSeconds(cp.child.pid!);
  const t0 = process.hrtime.bigint();
  const done = await pool(o.ops, concurrency, Date.now() + o.levelSeconds * 1000, run);
  const seconds = msSince(t0) / 1000;
  const cpu = cpuSeconds(cp.child.pid!) - cpu0;
  http.close();
  const operations = lat.create.length + lat.bind.length + lat.up.length;
  return {
    concurrency,
    lifecycles: done,
    operations,
    errors: errors.n,
    seconds: round(seconds),
    opsPerSecond: Math.round(operations / seconds),
    serverCpuMsPerOp: round((cpu * 1000) / Math.max(1, operations)),
    latencyMs: { create: summarise(lat.create), bind: summarise(lat.bind), up: summarise(lat.up) },
  };
}
