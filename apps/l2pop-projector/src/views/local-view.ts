import { inChunks, placeholders, type Sql } from '@cp/store';
import type { Impact } from '../projection/impact';

/**
 * The hosts whose own ports' documents a batch changed: those named directly,
 * and the hosts with a port in a group whose rules changed or on a network
 * whose type or segment changed.
 */
export async function localHosts(q: Sql, impact: Impact): Promise<Set<string>> {
  const hosts = new Set(impact.localHosts);
  const viaGroups = await inChunks([...impact.localGroups], (chunk) =>
    q.all<{ host: string }>(
      `SELECT DISTINCT p.host FROM l2_port_sgs ps JOIN l2_ports p ON p.id = ps.port_id
       WHERE ps.sg_id IN (${placeholders(chunk.length)}) AND p.host <> ''`,
      chunk,
    ),
  );
  const viaNetworks = await inChunks([...impact.localNetworks], (chunk) =>
    q.all<{ host: string }>(`SELECT DISTINCT host FROM l2_ports WHERE network_id IN (${placeholders(chunk.length)}) AND host <> ''`, chunk),
  );
  for (const { host } of [...viaGroups, ...viaNetworks]) hosts.add(host);
  return hosts;
}
