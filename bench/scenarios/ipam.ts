import { spawnControlPlane } from '../lib/control-plane';
import { Http } from '../lib/http';
import { summarise, type Summary } from '../lib/stats';

export interface IpamOptions {
  /** Ports on the subnet before each measurement. */
  sizes: number[];
  /** Single creates measured at each size. */
  creates: number;
}

export interface IpamFigures {
  sizes: Array<{ ports: number; createMs: Summary }>;
}

type PortBody = { port: { id: string } };

/**
 * One port create with an automatic address as a subnet fills: a /18 grown in
 * bulk requests to each size, then single creates one at a time over HTTP
 * (embedded, SQLite NORMAL), deleted again so the next size starts where it says.
 * Allocation reads a subnet's first free ranges, so the cost should stay flat.
 */
export async function runIpam(o: IpamOptions, log: (s: string) => void): Promise<{ figures: IpamFigures; notes: string[] }> {
  const cp = await spawnControlPlane({ env: { CP_QUOTA_PORT: '-1', CP_SQLITE_SYNCHRONOUS: 'NORMAL' } });
  const http = new Http(cp.url, 1);
  const figures: IpamFigures = { sizes: [] };
  try {
    const net = (await http.ok<{ network: { id: string } }>('POST', '/v2.0/networks', { network: { name: 'ipam' } })).network;
    await http.ok('POST', '/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.96.0.0/18' } });
    let ports = 0;
    for (const size of o.sizes) {
      while (ports < size) {
        const n = Math.min(100, size - ports);
        await http.ok('POST', '/v2.0/ports', { ports: Array.from({ length: n }, () => ({ network_id: net.id })) });
        ports += n;
      }
      const ms: number[] = [];
      const made: string[] = [];
      for (let i = 0; i < o.creates; i++) {
        const t0 = process.hrtime.bigint();
        made.push((await http.ok<PortBody>('POST', '/v2.0/ports', { port: { network_id: net.id } })).port.id);
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      for (const id of made) await http.ok('DELETE', `/v2.0/ports/${id}`);
      const createMs = summarise(ms);
      figures.sizes.push({ ports: size, createMs });
      log(`ipam ${size} ports on the subnet: create p50 ${createMs.p50} ms, p99 ${createMs.p99} ms`);
    }
  } finally {
    http.close();
    await cp.stop();
  }
  return { figures, notes: ['One /18, embedded mode, SQLite NORMAL; creates one at a time with an automatic address.'] };
}
