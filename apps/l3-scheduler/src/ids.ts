import { createHash } from 'node:crypto';

/**
 * Stream ids (`<category>:<id>`, the audit API's resource type) and the ids the
 * scheduler gives to what it creates.
 *
 * The ids are name-based UUIDs (RFC 4122 version 5 layout over SHA-1), not random:
 * two scheduler instances opening a project's second HA network at once derive
 * the same network id, so they collide on the same stream and optimistic
 * concurrency lets exactly one of them create it.
 */
export const streams = {
  haNetwork: (id: string) => `ha-network:${id}`,
  routerHa: (routerId: string) => `router-ha:${routerId}`,
  network: (id: string) => `network:${id}`,
  subnet: (id: string) => `subnet:${id}`,
  port: (id: string) => `port:${id}`,
};

const NAMESPACE = 'l3-scheduler.controlplane';

export function nameUuid(...parts: Array<string | number>): string {
  const h = createHash('sha1').update([NAMESPACE, ...parts.map(String)].join('\u0000')).digest();
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
 * A VNI for a new HA network: a hash of its id into the HA range, stepping past
 * ids this scheduler knows are taken. `attempt` moves the start on each retry, so
 * a VNI another writer took first (the API's segment index rejects it) is not
 * picked again.
 */
export function pickHaVni(networkId: string, range: readonly [number, number], taken: ReadonlySet<number>, attempt: number): number {
  const span = range[1] - range[0] + 1;
  const start = createHash('sha1').update(networkId).digest().readUInt32BE(0) % span;
  for (let i = 0; i < span; i++) {
    const vni = range[0] + ((start + attempt + i) % span);
    if (!taken.has(vni)) return vni;
  }
  throw new Error(`no free VNI left in the HA range ${range[0]}:${range[1]}`);
}
