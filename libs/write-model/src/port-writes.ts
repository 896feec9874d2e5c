/**
 * Port writes that run inside a caller's UnitOfWork, so the ports, routers and
 * subnets slices and the HA scheduler create, change and delete ports the same
 * way, through the port decider, in the same transaction as their own events.
 * Rejections throw RejectionError and abort the whole command.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  availability,
  canonicalUnicastMac,
  eui64Address,
  freeRangesOf,
  MAX_FIXED_IPS_PER_PORT,
  mustParseCidr,
  poolsToRanges,
  rangesContain,
  subtractAddresses,
  floatingIpDecider,
  formatIp,
  isAutoAddressSubnet,
  networkDecider,
  parseIp,
  portDecider,
  subnetDecider,
  type AddressPairRequest,
  type ExtraDhcpOptRequest,
  type CreatePortData,
  type FixedIpRequest,
  type IpRange,
  type NetworkData,
  type PortEvent,
  type PortState,
  type SubnetData,
  type UpdatePortChanges,
  type UsedIps,
} from '@cp/domain';
import type { UnitOfWork } from './command-runner';
import { allocationQueries } from './indexes/port-allocations';
import { fail, RejectionError } from './rejection';
import { SUBNET } from './resources/subnet.view';
import { FLOATINGIP } from './resources/floating-ip.view';
import { PORT } from './resources/port.view';
import { floatingIpStream, networkStream, portStream, subnetStream } from './streams';

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
  extraDhcpOpts?: ExtraDhcpOptRequest[];
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
  /** Taken addresses per subnet for a port with this MAC (its EUI-64 addresses are looked up too). */
  usedIps: (macAddress: string) => Promise<Record<string, UsedIps>>;
  macInUse(mac: string): Promise<boolean>;
}

/** Neutron's mac_generation_retries default. */
const MAC_ATTEMPTS = 16;

/**
 * What ports decided earlier in this command claimed and released: the indexes
 * are written only at commit, so without this two ports made in one command
 * would both get the first free IP, and an HA port replacing a removed one at
 * the same (VRID, slot) would find that port's address and MAC still taken.
 */
function addressesInCommand(uow: UnitOfWork, networkId: string) {
  const claimed = { ips: new Map<string, string[]>(), macs: new Set<string>() };
  const released = { ips: new Set<string>(), macs: new Set<string>() };
  for (const { streamId, event: e } of uow.decisions) {
    if (e.type === 'PortDeleted' && e.data.networkId === networkId) {
      const before = uow.storedState<PortState>(streamId);
      if (before.status !== 'active') continue;
      released.macs.add(before.port.macAddress);
      for (const ip of before.port.fixedIps) released.ips.add(`${ip.subnetId} ${ip.ipAddress}`);
      continue;
    }
    if (e.type === 'PortCreated' && e.data.networkId === networkId) claimed.macs.add(e.data.macAddress);
    const fixed = e.type === 'PortCreated' ? e.data.fixedIps : e.type === 'PortUpdated' ? e.data.changes.fixedIps : undefined;
    for (const ip of fixed ?? []) claimed.ips.set(ip.subnetId, [...(claimed.ips.get(ip.subnetId) ?? []), ip.ipAddress]);
  }
  return { claimed, released };
}

/**
 * What the port decider needs to place a port on the network, read without
 * touching every address the subnets hold: addresses named in `requests` and
 * the EUI-64 ones a MAC gives are looked up one by one, and pool allocation gets
 * the first free ranges in pool order (enough for a port's fixed IPs after what
 * this command claimed), so its cost does not grow with the subnet's ports.
 */
export async function loadPortFacts(uow: UnitOfWork, networkId: string, requests?: readonly FixedIpRequest[]): Promise<PortFacts> {
  const net = await uow.load(networkDecider, networkStream(networkId));
  const network = net.status === 'active' ? net.network : null;
  const subnets = network ? await networkSubnets(uow, networkId) : [];
  const inCommand = addressesInCommand(uow, networkId);
  const named = canonicalIps(requests ?? []);
  const fromPools = requests === undefined || requests.some((r) => r.ipAddress === undefined);
  const free: Record<string, IpRange[]> = {};
  for (const s of subnets) if (fromPools && !isAutoAddressSubnet(s)) free[s.id] = await freeInPools(uow, s, inCommand);
  const usedIps = async (macAddress: string) => {
    const out: Record<string, UsedIps> = {};
    for (const s of subnets) {
      const eui = isAutoAddressSubnet(s) ? eui64Address(mustParseCidr(s.cidr), macAddress) : null;
      const asked = eui === null ? named : [...named, eui];
      const held = await allocationQueries.takenAmong(uow.db, uow.tx, s.id, asked);
      const taken = held.filter((ip) => !inCommand.released.ips.has(`${s.id} ${ip}`));
      out[s.id] = availability(free[s.id] ?? [], [...taken, ...(inCommand.claimed.ips.get(s.id) ?? [])]);
    }
    return out;
  };
  const { claimed, released } = inCommand;
  const macTaken = async (mac: string) => !released.macs.has(mac) && allocationQueries.macTaken(uow.db, uow.tx, networkId, mac);
  return { network, subnets, usedIps, macInUse: async (mac) => claimed.macs.has(mac) || macTaken(mac) };
}

/** A port names at most this many addresses, so it never needs more free ones from a subnet. */
const ENOUGH = MAX_FIXED_IPS_PER_PORT;

/**
 * The subnet's free pool addresses as ranges, once this command's claims and
 * releases apply: the first stored ranges in pool order, as many as it takes to
 * leave ENOUGH after the claims (each row holds at least one address), read
 * once per command and read further only when a command claims more.
 */
async function freeInPools(uow: UnitOfWork, s: SubnetData, inCommand: ReturnType<typeof addressesInCommand>): Promise<IpRange[]> {
  const pools = poolsToRanges(s.allocationPools);
  const mine = (inCommand.claimed.ips.get(s.id) ?? []).flatMap((ip) => parseIp(ip)?.value ?? []);
  const released = [...inCommand.released.ips].flatMap((key) => {
    const [subnetId, ip] = key.split(' ');
    const v = subnetId === s.id ? parseIp(ip)?.value : undefined;
    return v !== undefined && rangesContain(pools, v) ? [{ start: v, end: v }] : [];
  });
  let stored: IpRange[];
  if (uow.decisions.some(({ event: e }) => e.type === 'SubnetCreated' && e.data.id === s.id)) {
    stored = pools; // nothing stored for it yet
  } else if (uow.decisions.some(({ event: e }) => e.type === 'SubnetUpdated' && e.data.id === s.id && e.data.changes.allocationPools)) {
    // Its stored ranges are for the old pools: derive them here (a command that re-pools and then allocates is rare).
    const held = await uow.once(`ips ${s.id}`, () => allocationQueries.ipsOn(uow.db, uow.tx, s.id));
    stored = freeRangesOf(
      pools,
      held.flatMap((ip) => (inCommand.released.ips.has(`${s.id} ${ip}`) ? [] : (parseIp(ip)?.value ?? []))),
    );
  } else {
    const read = await uow.once(`free ${s.id}`, () => Promise.resolve({ ranges: [] as IpRange[], complete: false, limit: 0 }));
    const need = mine.length + ENOUGH;
    if (!read.complete && read.limit < need) {
      const limit = Math.max(need, read.limit * 2, 8);
      Object.assign(read, { ...(await allocationQueries.firstFree(uow.db, uow.tx, s.id, limit)), limit });
    }
    stored = read.ranges;
  }
  return subtractAddresses([...stored, ...released], mine);
}

/** The requested addresses in the text the index holds (what events carry); malformed ones are the decider's to reject. */
function canonicalIps(requests: readonly FixedIpRequest[]): string[] {
  return requests.flatMap((r) => {
    const ip = parseIp(r.ipAddress ?? '');
    return ip ? [formatIp(ip)] : [];
  });
}

/**
 * The network's live subnets in creation order (automatic allocation walks them
 * in this order), including any this command created (the HA scheduler opens an
 * HA network and places ports on it in one command).
 */
export async function networkSubnets(uow: UnitOfWork, networkId: string): Promise<SubnetData[]> {
  const stored = await uow.once(`subnets ${networkId}`, () => storedSubnetStreams(uow, networkId));
  // Subnets of this command have no stored event yet: they are the newest.
  const created = uow.decisions.flatMap(({ event: e }) =>
    e.type === 'SubnetCreated' && e.data.networkId === networkId ? [subnetStream(e.data.id)] : [],
  );
  const out: SubnetData[] = [];
  for (const streamId of new Set([...stored, ...created])) {
    const state = await uow.load(subnetDecider, streamId);
    if (state.status === 'active') out.push(state.subnet);
  }
  return out;
}

/** The streams of the network's stored subnets, oldest first. */
async function storedSubnetStreams(uow: UnitOfWork, networkId: string): Promise<string[]> {
  const rows = await uow.db.all<{ id: string }>('SELECT id FROM resources WHERE kind = ? AND parent_id = ?', [SUBNET, networkId], uow.tx);
  if (rows.length === 0) return [];
  const ids = rows.map((r) => subnetStream(r.id));
  const firsts = await uow.db.all<{ stream_id: string }>(
    `SELECT stream_id, MIN(position) AS p FROM events WHERE stream_id IN (${ids.map(() => '?').join(', ')}) GROUP BY stream_id ORDER BY p`,
    ids,
    uow.tx,
  );
  return firsts.map((f) => f.stream_id);
}

/**
 * The queue (CommandRunner.run's `queueOn`) of the commands that take addresses
 * on a network's subnets: they all read and cut the same first free range, so
 * on PostgreSQL they take turns instead of conflicting and retrying.
 */
export const addressQueue = (networkId: string): string => `addresses:${networkId}`;

/**
 * The queue of the creates one project's quota counts: each reads how many the
 * project has and adds one, so concurrent creates in a project would all
 * conflict (serializable) and retry; they take turns instead.
 */
export const quotaQueue = (projectId: string): string => `quota:${projectId}`;

export const generateMac = () => `fa:16:3e:${[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;

export async function createPortInUow(
  uow: UnitOfWork,
  input: NewPort,
  opts: { missingSecurityGroups?: readonly string[] } = {},
): Promise<{ portId: string; events: PortEvent[] }> {
  const portId = input.id ?? randomUUID();
  const facts = await loadPortFacts(uow, input.networkId, input.fixedIps);
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
    extraDhcpOpts: input.extraDhcpOpts,
    vnicType: input.vnicType ?? 'normal',
    hostId: input.hostId ?? '',
    fixedIps: input.fixedIps,
  };
  const decideWith = async (macAddress: string, macGenerated: boolean) =>
    uow.decide(portDecider, portStream(portId), {
      type: 'CreatePort',
      data: { ...base, macAddress, macGenerated },
      facts: {
        ...facts,
        usedIps: await facts.usedIps(canonicalUnicastMac(macAddress) ?? macAddress),
        macInUse: await facts.macInUse(canonicalUnicastMac(macAddress) ?? macAddress),
        missingSecurityGroups: opts.missingSecurityGroups ?? [],
      },
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
  const mac = changes.macAddress === undefined ? null : (canonicalUnicastMac(changes.macAddress) ?? changes.macAddress);
  const newMac = mac !== null && state.status === 'active' && mac !== state.port.macAddress;
  const macInUse = newMac ? await allocationQueries.macTaken(uow.db, uow.tx, state.port.networkId, mac) : false;
  let ipam = {};
  if ((changes.fixedIps !== undefined || newMac) && state.status === 'active') {
    const { subnets, usedIps } = await loadPortFacts(uow, state.port.networkId, changes.fixedIps);
    ipam = { subnets, usedIps: await usedIps(newMac ? mac : state.port.macAddress) };
    // A new MAC makes new EUI-64 addresses (Neutron re-allocates them); the other addresses stay.
    if (newMac && changes.fixedIps === undefined && state.port.fixedIps.some((f) => isAutoOn(subnets, f.subnetId))) {
      changes = {
        ...changes,
        fixedIps: state.port.fixedIps.map((f) =>
          isAutoOn(subnets, f.subnetId) ? { subnetId: f.subnetId } : { subnetId: f.subnetId, ipAddress: f.ipAddress },
        ),
      };
    }
  }
  const events = await uow.decide(portDecider, portStream(portId), {
    type: 'UpdatePort',
    data: { id: portId, changes },
    facts: { ...ipam, macInUse, missingSecurityGroups: opts.missingSecurityGroups },
  });
  return events;
}

const isAutoOn = (subnets: readonly SubnetData[], subnetId: string) => {
  const subnet = subnets.find((s) => s.id === subnetId);
  return subnet !== undefined && isAutoAddressSubnet(subnet);
};

/** Deletes a port; floating IPs that map it are disassociated in the same command, as Neutron does. */
export async function deletePortInUow(uow: UnitOfWork, portId: string): Promise<PortEvent[]> {
  const events = await uow.decide(portDecider, portStream(portId), { type: 'DeletePort', data: { id: portId } });
  for (const fip of await uow.resources.list(FLOATINGIP, { parentId: portId }, uow.tx)) {
    await uow.decide(floatingIpDecider, floatingIpStream(String(fip.id)), {
      type: 'DisassociateFloatingIp',
      data: { id: String(fip.id), reason: 'port_deleted' },
    });
  }
  return events;
}

export const loadPort = (uow: UnitOfWork, portId: string): Promise<PortState> => uow.load(portDecider, portStream(portId));

/** Ports on the network once this command's own creates and deletes apply (the resources table sees them only at commit). */
export async function portsLeftOn(uow: UnitOfWork, networkId: string): Promise<number> {
  const stored = await uow.resources.count(PORT, networkId, uow.tx);
  let delta = 0;
  for (const { event: e } of uow.decisions) {
    if (e.type === 'PortCreated' && e.data.networkId === networkId) delta += 1;
    if (e.type === 'PortDeleted' && e.data.networkId === networkId) delta -= 1;
  }
  return stored + delta;
}
