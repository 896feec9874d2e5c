/**
 * Port writes that run inside someone else's UnitOfWork, so any slice (ports,
 * routers, the HA scheduler) creates and deletes ports the same way and in the
 * same transaction as its own events.
 *
 *   loadPortFacts(uow, networkId) -> { network, subnets, usedIps, macInUse(mac) }
 *       network: NetworkData | null (folded from its stream; no visibility check,
 *       the caller does that); subnets oldest first; usedIps per subnet id as a
 *       UsedIndex (ip_allocations rows plus what this uow already claimed).
 *   createPortInUow(uow, input: NewPort, opts?) -> { portId, events }
 *       input: CreatePort's data; id, macAddress, fixedIps and the cosmetic
 *       fields are optional. A missing MAC is generated as fa:16:3e:xx:xx:xx.
 *       opts.missingSecurityGroups: ids the caller found absent or invisible.
 *   updatePortInUow(uow, portId, changes, opts?) -> events
 *   deletePortInUow(uow, portId) -> events   (PortNotFound 404 if absent)
 *
 * Rejections throw RejectionError and abort the whole command.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type Decider, buildUsedIndex, canonicalUnicastMac, type UsedIndex, networkDecider, type NetworkData, portDecider, type PortEvent, type AddressPairRequest, type CreatePortData, type FixedIpRequest, type PortState, type UpdatePortChanges, subnetDecider, type SubnetData } from '@cp/domain';
import { networkStream } from '../networks/networks.service';
import type { UnitOfWork } from '../platform/command-runner';
import { fail, RejectionError } from '../platform/rejection.error';
import { SUBNET, subnetStream } from '../subnets/subnet.view';
import { allocationQueries } from './port-allocations';

export const portStream = (id: string) => `port:${id}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- loading only folds, whatever the command type
export const loadState = <S>(uow: UnitOfWork, decider: Decider<any, S, any>, streamId: string): Promise<S> =>
  uow.load<S>(decider, streamId);

export interface NewPort {
  networkId: string;
  projectId: string;
  deviceOwner: string;
  id?: string;
  name?: string;
  description?: string;
  adminStateUp?: boolean;
  deviceId?: string;
  /** Resolved by the caller (e.g. the project's default group); [] when none. */
  securityGroups?: string[];
  portSecurityEnabled?: boolean;
  allowedAddressPairs?: AddressPairRequest[];
  vnicType?: string;
  /** binding:host_id; '' (default) leaves the port unbound. */
  hostId?: string;
  macAddress?: string;
  /** Absent: one address per IP version from the network's subnets. */
  fixedIps?: FixedIpRequest[];
}

export interface PortFacts {
  network: NetworkData | null;
  subnets: SubnetData[];
  usedIps: Record<string, UsedIndex>;
  macInUse(mac: string): Promise<boolean>;
}

/** Neutron's mac_generation_retries default. */
const MAC_ATTEMPTS = 16;

/**
 * Addresses claimed by ports decided earlier in this uow: the indexes are only
 * written at commit, so without this two ports made in one command would both
 * get the first free IP and the command would never commit.
 */
const claims = new WeakMap<UnitOfWork, { ips: Map<string, Set<string>>; macs: Set<string> }>();
function claimsOf(uow: UnitOfWork) {
  let c = claims.get(uow);
  if (!c) claims.set(uow, (c = { ips: new Map(), macs: new Set() }));
  return c;
}

export async function loadPortFacts(uow: UnitOfWork, networkId: string): Promise<PortFacts> {
  const net = await loadState(uow, networkDecider, networkStream(networkId));
  const network = net.status === 'active' ? net.network : null;
  const subnets = network ? await networkSubnets(uow, networkId) : [];
  const mine = claimsOf(uow);
  const usedIps: Record<string, UsedIndex> = {};
  for (const s of subnets) {
    const rows = await allocationQueries.ipsOn(uow.db, uow.tx, s.id);
    usedIps[s.id] = buildUsedIndex([...rows, ...(mine.ips.get(s.id) ?? [])]);
  }
  return {
    network,
    subnets,
    usedIps,
    macInUse: async (mac) => mine.macs.has(`${networkId} ${mac}`) || allocationQueries.macTaken(uow.db, uow.tx, networkId, mac),
  };
}

/** The network's live subnets in creation order (automatic allocation walks them in this order). */
export async function networkSubnets(uow: UnitOfWork, networkId: string): Promise<SubnetData[]> {
  const rows = await uow.db.all<{ id: string }>('SELECT id FROM resources WHERE kind = ? AND parent_id = ?', [SUBNET, networkId], uow.tx);
  if (rows.length === 0) return [];
  const ids = rows.map((r) => subnetStream(r.id));
  const firsts = await uow.db.all<{ stream_id: string }>(
    `SELECT stream_id, MIN(position) AS p FROM events WHERE stream_id IN (${ids.map(() => '?').join(', ')}) GROUP BY stream_id ORDER BY p`,
    ids,
    uow.tx,
  );
  const out: SubnetData[] = [];
  for (const f of firsts) {
    const state = await loadState(uow, subnetDecider, f.stream_id);
    if (state.status === 'active') out.push(state.subnet);
  }
  return out;
}

export const generateMac = () => `fa:16:3e:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

export async function createPortInUow(
  uow: UnitOfWork,
  input: NewPort,
  opts: { missingSecurityGroups?: readonly string[] } = {},
): Promise<{ portId: string; events: PortEvent[] }> {
  const portId = input.id ?? randomUUID();
  const facts = await loadPortFacts(uow, input.networkId);
  const base: Omit<CreatePortData, 'macAddress' | 'macGenerated'> = {
    id: portId,
    networkId: input.networkId,
    projectId: input.projectId,
    name: input.name ?? '',
    description: input.description ?? '',
    adminStateUp: input.adminStateUp ?? true,
    deviceId: input.deviceId ?? '',
    deviceOwner: input.deviceOwner,
    securityGroups: input.securityGroups ?? [],
    portSecurityEnabled: input.portSecurityEnabled ?? true,
    allowedAddressPairs: input.allowedAddressPairs ?? [],
    vnicType: input.vnicType ?? 'normal',
    hostId: input.hostId ?? '',
    fixedIps: input.fixedIps,
  };
  const decideWith = async (macAddress: string, macGenerated: boolean) =>
    uow.decide(portDecider, portStream(portId), {
      type: 'CreatePort',
      data: { ...base, macAddress, macGenerated },
      facts: { ...facts, macInUse: await facts.macInUse(canonicalUnicastMac(macAddress) ?? macAddress), missingSecurityGroups: opts.missingSecurityGroups ?? [] },
    });
  let events: PortEvent[] | undefined;
  if (input.macAddress !== undefined) events = await decideWith(input.macAddress, false);
  for (let i = 0; !events && i < MAC_ATTEMPTS; i++) {
    try {
      events = await decideWith(generateMac(), true);
    } catch (err) {
      if (!(err instanceof RejectionError && err.rejection.type === 'MacAddressGenerationFailure')) throw err;
    }
  }
  if (!events) fail(503, 'MacAddressGenerationFailure', `Unable to generate unique mac on network ${input.networkId}.`);
  remember(uow, events);
  return { portId, events };
}

/** Address facts are loaded only when fixed_ips change, the one change that needs them. */
export async function updatePortInUow(
  uow: UnitOfWork,
  portId: string,
  changes: UpdatePortChanges,
  opts: { missingSecurityGroups?: readonly string[] } = {},
): Promise<PortEvent[]> {
  const state = await loadPort(uow, portId);
  let ipam = {};
  if (changes.fixedIps !== undefined && state.status === 'active') {
    const { subnets, usedIps } = await loadPortFacts(uow, state.port.networkId);
    ipam = { subnets, usedIps };
  }
  const events = await uow.decide(portDecider, portStream(portId), {
    type: 'UpdatePort',
    data: { id: portId, changes },
    facts: { ...ipam, missingSecurityGroups: opts.missingSecurityGroups },
  });
  remember(uow, events);
  return events;
}

export async function deletePortInUow(uow: UnitOfWork, portId: string): Promise<PortEvent[]> {
  return uow.decide(portDecider, portStream(portId), { type: 'DeletePort', data: { id: portId } });
}

export const loadPort = (uow: UnitOfWork, portId: string): Promise<PortState> => loadState(uow, portDecider, portStream(portId));

function remember(uow: UnitOfWork, events: readonly PortEvent[]) {
  const c = claimsOf(uow);
  for (const e of events) {
    const ips = e.type === 'PortCreated' ? e.data.fixedIps : e.type === 'PortUpdated' ? e.data.changes.fixedIps : undefined;
    for (const ip of ips ?? []) c.ips.set(ip.subnetId, (c.ips.get(ip.subnetId) ?? new Set()).add(ip.ipAddress));
    if (e.type === 'PortCreated') c.macs.add(`${e.data.networkId} ${e.data.macAddress}`);
  }
}
