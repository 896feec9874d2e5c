import type { FixedIp } from '@cp/events';
import { conflict, type Rejection } from '../decider';
import { eui64Address, firstFreeIpInPools, invalidInput, isIpUsed, mustParseCidr, withTaken, type UsedIps } from '../ipam';
import type { SubnetData } from '../subnet/subnet.decider';
import { isAutoAddressSubnet } from '../subnet/subnet.validation';

const NONE: ReadonlySet<string> = new Set();

/**
 * Allocation state for one command. Addresses handed out earlier in the same
 * command count as taken; the port's own current addresses (which the edge
 * lists in usedIps like everyone else's) may be asked for again, but are never
 * handed out as fresh ones, so an address released by an update is not
 * recycled within it.
 */
export function allocator(macAddress: string, original: readonly FixedIp[], usedIps: Readonly<Record<string, UsedIps>>) {
  const taken = new Map<string, Set<string>>();
  const mine = new Set(original.map((o) => `${o.subnetId} ${o.ipAddress}`));
  const usedOn = (subnetId: string) => usedIps[subnetId] ?? NONE;
  const record = (subnetId: string, ip: string): FixedIp => {
    taken.set(subnetId, (taken.get(subnetId) ?? new Set()).add(ip));
    return { subnetId, ipAddress: ip };
  };

  /** A specific address: free, or already this port's and not given out twice here. */
  function take(subnet: SubnetData, ip: string): FixedIp | Rejection {
    const takenHere = taken.get(subnet.id)?.has(ip) ?? false;
    if (takenHere || (isIpUsed(usedOn(subnet.id), ip) && !mine.has(`${subnet.id} ${ip}`))) {
      return conflict('IpAddressAlreadyAllocated', `IP address ${ip} already allocated in subnet ${subnet.id}`);
    }
    return record(subnet.id, ip);
  }

  /** Any address: EUI-64 on SLAAC subnets, else the lowest free pool address. */
  function next(subnet: SubnetData): FixedIp | Rejection {
    if (isAutoAddressSubnet(subnet)) {
      const ip = eui64Address(mustParseCidr(subnet.cidr), macAddress);
      if (ip === null) return invalidInput(`Unable to compute an EUI-64 address on subnet ${subnet.id}`);
      return take(subnet, ip);
    }
    const used = withTaken(usedOn(subnet.id), taken.get(subnet.id) ?? NONE);
    const ip = firstFreeIpInPools(subnet.allocationPools, used);
    if (ip === null) return conflict('IpAddressGenerationFailure', `No more IP addresses available for subnet ${subnet.id}.`);
    return record(subnet.id, ip);
  }

  return { take, next, keep: (o: FixedIp) => record(o.subnetId, o.ipAddress) };
}
