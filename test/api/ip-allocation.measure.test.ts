/**
 * A measurement, not a check (skipped unless IPAM_MEASURE=1): the cost of one
 * port create with an automatic address as the subnet fills. A /18 is grown in
 * bulk requests to each size, then single creates run one at a time over HTTP
 * (embedded, SQLite NORMAL) and their latency is printed as JSON lines.
 *
 *   IPAM_MEASURE=1 npx jest test/api/ip-allocation.measure.test.ts --selectProjects integration
 *
 * IPAM_SIZES (default 1000,4000,16000) and IPAM_CREATES (default 300) change the run.
 */
import { startInProcess, type Json } from '../support/control-plane';

const on = process.env.IPAM_MEASURE === '1';
const sizes = (process.env.IPAM_SIZES ?? '1000,4000,16000').split(',').map(Number);
const creates = Number(process.env.IPAM_CREATES ?? 300);

(on ? test : test.skip)(
  'port create latency as a subnet fills',
  async () => {
    const cp = await startInProcess({ CP_QUOTA_PORT: '-1' });
    try {
      const net = (await cp.api.post('/v2.0/networks', { network: { name: 'measure' } })).body!.network;
      await cp.api.post('/v2.0/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '10.96.0.0/18' } });
      let ports = 0;
      for (const size of sizes) {
        while (ports < size) {
          const n = Math.min(100, size - ports);
          const res = await cp.api.post('/v2.0/ports', { ports: Array.from({ length: n }, () => ({ network_id: net.id })) });
          if (res.status !== 201) throw new Error(`bulk create: ${res.status}`);
          ports += n;
        }
        const ms: number[] = [];
        const made: Json[] = [];
        for (let i = 0; i < creates; i++) {
          const t0 = process.hrtime.bigint();
          const res = await cp.api.post('/v2.0/ports', { port: { network_id: net.id } });
          ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
          made.push(res.body!.port);
        }
        // Back to `size` ports, so the next size starts where it says.
        for (const p of made) await cp.api.del(`/v2.0/ports/${p.id}`);
        ms.sort((a, b) => a - b);
        const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
        const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
        process.stdout.write(
          `${JSON.stringify({ ports: size, creates, meanMs: +mean.toFixed(2), p50Ms: +at(0.5).toFixed(2), p99Ms: +at(0.99).toFixed(2) })}\n`,
        );
      }
    } finally {
      await cp.close();
    }
  },
  1_800_000,
);
