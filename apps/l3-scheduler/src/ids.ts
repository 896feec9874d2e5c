import { createHash } from 'node:crypto';

/**
 * The ids the scheduler gives to what it creates: name-based UUIDs (RFC 4122
 * version 5 layout over SHA-1), not random. Two scheduler instances opening a
 * project's second HA network at once derive the same network id, so the
 * second to commit finds it made.
 */
const NAMESPACE = 'l3-scheduler.controlplane';

export function nameUuid(...parts: Array<string | number>): string {
  const h = createHash('sha1')
    .update([NAMESPACE, ...parts.map(String)].join('\u0000'))
    .digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const haNetworkIds = (projectId: string, index: number) => ({
  networkId: nameUuid('ha-network', projectId, index),
  subnetId: nameUuid('ha-subnet', projectId, index),
});

/**
 * An HA port per (router, agent, router-ha stream version the decision was made
 * at): a router that comes back to an agent later gets a new port, never a
 * deleted port's stream.
 */
export const haPortId = (routerId: string, agentId: string, decidedAtVersion: number) =>
  nameUuid('ha-port', routerId, agentId, decidedAtVersion);

/**
 * VNIs for a new HA network, in the order to try them: from a hash of its id
 * into the HA range, then onwards, so instances pick the same one and different
 * networks rarely collide.
 */
export function* haVniCandidates(networkId: string, range: readonly [number, number]): Generator<number> {
  const span = range[1] - range[0] + 1;
  const start = createHash('sha1').update(networkId).digest().readUInt32BE(0) % span;
  for (let i = 0; i < span; i++) yield range[0] + ((start + i) % span);
}
