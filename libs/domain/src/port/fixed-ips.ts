import type { FixedIp } from '@cp/events';
import { badRequest, conflict, isRejection, type Rejection } from '../decider';
import { formatIp, invalidAttribute, invalidInput, isUsableHostIp, mustParseCidr, parseIp } from '../ipam';
import type { SubnetData } from '../subnet/subnet.decider';
import { isAutoAddressSubnet } from '../subnet/subnet.validation';
import { allocator } from './allocator';
import type { FixedIpRequest, IpamFacts } from './port.types';

/** Neutron's default max_fixed_ips_per_port. */
export const MAX_FIXED_IPS_PER_PORT = 5;

/**
 * Router-owned ports: they may take an IPv6 subnet's network (anycast) address
 * or a chosen address on a SLAAC subnet, and get no EUI-64 address by default.
 * One set for what Neutron spreads over ROUTER_PORT_OWNERS / ROUTER_INTERFACE_OWNERS(_SNAT).
 */
export const ROUTER_OWNERS: ReadonlySet<string> = new Set([
  'network:router_interface',
  'network:router_interface_distributed',
  'network:ha_router_replicated_interface',
  'network:router_centralized_snat',
  'network:router_gateway',
]);

interface Target {
  subnet: SubnetData;
  /** Canonical address asked for, or null to allocate one. */
  ip: string | null;
}

export interface AssignArgs {
  networkId: string;
  macAddress: string;
  deviceOwner: string;
  /** undefined: allocate automatically (create only). */
  requests: readonly FixedIpRequest[] | undefined;
  /** The port's current addresses (update), [] on create. */
  original: readonly FixedIp[];
  facts: IpamFacts;
}

const isAuto = isAutoAddressSubnet;

/** Neutron's _get_subnet_for_fixed_ip, plus its SLAAC rule. */
function target(a: AssignArgs, req: FixedIpRequest): Target | Rejection {
  const subnets = a.facts.subnets;
  if (subnets.length === 0) return invalidInput('IP allocation requires subnets for network');
  const isRouter = ROUTER_OWNERS.has(a.deviceOwner);
  let ip = null;
  if (req.ipAddress !== undefined) {
    ip = parseIp(req.ipAddress);
    if (!ip) return invalidAttribute('fixed_ips', `'${req.ipAddress}' is not a valid IP address`);
  }
  let found: Target | undefined;
  if (req.subnetId !== undefined) {
    const subnet = subnets.find((s) => s.id === req.subnetId);
    if (!subnet) {
      return invalidInput(`Failed to create port on network ${a.networkId}, because fixed_ips included invalid subnet ${req.subnetId}`);
    }
    const cidr = mustParseCidr(subnet.cidr);
    if (ip && !isUsableHostIp(cidr, ip, isRouter)) {
      return badRequest(`IP address ${req.ipAddress} is not a valid IP for the specified subnet.`, 'InvalidIpForSubnet');
    }
    found = { subnet, ip: ip && formatIp(ip) };
  } else {
    if (!ip) return invalidInput('IP allocation requires subnet_id or ip_address');
    for (const subnet of subnets) {
      const cidr = mustParseCidr(subnet.cidr);
      if (isUsableHostIp(cidr, ip, isRouter)) {
        found = { subnet, ip: formatIp(ip) };
        break;
      }
    }
    if (!found) {
      return badRequest(
        `IP address ${req.ipAddress} is not a valid IP for any of the subnets on the specified network.`,
        'InvalidIpForNetwork',
      );
    }
  }
  // An address the port already holds is kept, not assigned again (Neutron validates only the changed ones):
  // an update that names a port's own EUI-64 address is not a direct assignment.
  const own = found.ip !== null && a.original.some((o) => o.subnetId === found.subnet.id && o.ipAddress === found.ip);
  if (found.ip && isAuto(found.subnet) && !isRouter && !own) {
    return badRequest(
      `IPv6 address ${found.ip} cannot be directly assigned to a port on subnet ${found.subnet.id} as the subnet is configured for automatic addresses`,
      'AllocationOnAutoAddressSubnet',
    );
  }
  return found;
}

/**
 * Resolves a port's fixed IPs. Explicit addresses are checked against what is
 * taken; subnet-only entries get the subnet's lowest free pool address (EUI-64
 * on SLAAC subnets). On update, Neutron's matching applies: an address the port
 * already has is kept as is, a subnet-only entry reuses the port's current
 * address on that subnet, automatic (EUI-64) addresses not mentioned stay, and
 * everything else the port had is released.
 */
export function assignFixedIps(a: AssignArgs): FixedIp[] | Rejection {
  if (a.requests === undefined) return automatic(a);
  if (a.requests.length > MAX_FIXED_IPS_PER_PORT) return invalidInput('Exceeded maximum amount of fixed ips per port');
  const targets: Target[] = [];
  for (const req of a.requests) {
    const t = target(a, req);
    if (isRejection(t)) return t;
    targets.push(t);
  }
  const alloc = allocator(a.macAddress, a.original, a.facts.usedIps);
  const unclaimed = [...a.original];
  const claim = (pred: (o: FixedIp) => boolean) => {
    const i = unclaimed.findIndex(pred);
    return i < 0 ? null : alloc.keep(unclaimed.splice(i, 1)[0]);
  };
  const result: (FixedIp | null)[] = targets.map(() => null);
  // Explicit addresses first, so a subnet-only entry can't reuse an address named elsewhere.
  targets.forEach((t, i) => {
    if (t.ip !== null) result[i] = claim((o) => o.ipAddress === t.ip && o.subnetId === t.subnet.id);
  });
  targets.forEach((t, i) => {
    if (t.ip === null && !isAuto(t.subnet)) result[i] = claim((o) => o.subnetId === t.subnet.id);
  });
  for (let i = 0; i < targets.length; i++) {
    if (result[i]) continue;
    const t = targets[i];
    const got = t.ip !== null ? alloc.take(t.subnet, t.ip) : alloc.next(t.subnet);
    if (isRejection(got)) return got;
    result[i] = got;
  }
  const kept = unclaimed.filter((o) => {
    const s = a.facts.subnets.find((x) => x.id === o.subnetId);
    return s !== undefined && isAuto(s) && !ROUTER_OWNERS.has(a.deviceOwner) && !result.some((r) => r?.subnetId === s.id);
  });
  return [...(result as FixedIp[]), ...kept];
}

/**
 * No fixed_ips given: one pool address from the first IPv4 subnet that has a
 * free one, the same for stateful IPv6, and the EUI-64 address on every SLAAC
 * subnet. Neutron picks among same-version subnets at random; we take the
 * first in the order the edge lists them, so replays and tests are stable.
 */
function automatic(a: AssignArgs): FixedIp[] | Rejection {
  const alloc = allocator(a.macAddress, a.original, a.facts.usedIps);
  const isRouter = ROUTER_OWNERS.has(a.deviceOwner);
  const out: FixedIp[] = [];
  const groups = [a.facts.subnets.filter((s) => s.ipVersion === 4), a.facts.subnets.filter((s) => s.ipVersion === 6 && !isAuto(s))];
  for (const group of groups) {
    if (group.length === 0) continue;
    let got: FixedIp | null = null;
    for (const s of group) {
      const r = alloc.next(s);
      if (!isRejection(r)) {
        got = r;
        break;
      }
    }
    if (!got) return conflict('IpAddressGenerationFailure', `No more IP addresses available on network ${a.networkId}.`);
    out.push(got);
  }
  if (!isRouter) {
    for (const s of a.facts.subnets.filter(isAuto)) {
      const got = alloc.next(s);
      if (isRejection(got)) return got;
      out.push(got);
    }
  }
  return out;
}
