import type { AllocationPool } from '@cp/events';
import { assertNever, conflict, isRejection, notFound, type Decider, type Decision, type Events } from '../decider';
import {
  cidrsOverlap,
  defaultGateway,
  defaultPools,
  formatIp,
  invalidInput,
  mustParseCidr,
  parseCidr,
  rangeToPool,
  validatePools,
} from '../ipam';
import type { NetworkData } from '../network/network.decider';
import { checkChanges } from './subnet.update';
import { checkCidr, checkDhcpPrefix, checkDnsNameservers, checkGateway, checkHostRoutes, checkIpv6Modes } from './subnet.validation';

export type { SubnetChanges, SubnetData } from './subnet.types';
import type { SubnetChanges, SubnetData } from './subnet.types';

export type SubnetState =
  { status: 'absent' } | { status: 'active'; subnet: SubnetData } | { status: 'deleted'; id: string; networkId: string };

/**
 * SubnetCreated's data as the client asked for it. `gatewayIp` and
 * `allocationPools` are left out when the client did not give them, so the
 * decider fills Neutron's defaults; `gatewayIp: null` means "no gateway".
 */
export type CreateSubnetData = Omit<SubnetData, 'gatewayIp' | 'allocationPools'> & {
  gatewayIp?: string | null;
  allocationPools?: AllocationPool[];
};

export type SubnetCommand =
  | {
      type: 'CreateSubnet';
      data: CreateSubnetData;
      facts: {
        /** The subnet's network; null when it does not exist or the caller may not see it. */
        network: NetworkData | null;
        /** CIDRs of the network's other (live) subnets. */
        existingCidrs: readonly string[];
      };
    }
  | {
      type: 'UpdateSubnet';
      data: { id: string; changes: SubnetChanges };
      facts?: {
        /** Id of a router port holding the current gateway IP, if any (Neutron: GatewayIpInUse). */
        gatewayPortId?: string | null;
      };
    }
  | {
      type: 'DeleteSubnet';
      data: { id: string };
      /** Ports with an IP on this subnet, not counting network:dhcp ports (Neutron deletes those itself). */
      facts: { portsInUse: number };
    };

type SubnetEvent = Events<'SubnetCreated' | 'SubnetUpdated' | 'SubnetDeleted'>;

const subnetNotFound = (id: string) => notFound('SubnetNotFound', `Subnet ${id} could not be found.`);

function create(cmd: Extract<SubnetCommand, { type: 'CreateSubnet' }>): Decision<SubnetEvent> {
  const d = cmd.data;
  if (!cmd.facts.network || cmd.facts.network.id !== d.networkId) {
    return notFound('NetworkNotFound', `Network ${d.networkId} could not be found.`);
  }
  const cidr = checkCidr(d.cidr, d.ipVersion);
  if (isRejection(cidr)) return cidr;
  // Neutron's allow_overlapping_ips=True scope: only the same network's subnets count.
  const overlaps = cmd.facts.existingCidrs.some((other) => {
    const o = parseCidr(other);
    return o.ok && cidrsOverlap(o.cidr, cidr);
  });
  if (overlaps) {
    return invalidInput(`Requested subnet with cidr: ${cidr.text} for network: ${d.networkId} overlaps with another subnet`);
  }
  const modes = checkIpv6Modes(cidr, d.ipv6RaMode, d.ipv6AddressMode, d.enableDhcp);
  if (modes) return modes;
  const dhcp = d.enableDhcp ? checkDhcpPrefix(cidr) : null;
  if (dhcp) return dhcp;

  const gateway = d.gatewayIp === undefined ? defaultGateway(cidr) : checkGateway(cidr, d.gatewayIp);
  if (isRejection(gateway)) return gateway;
  let allocationPools: AllocationPool[];
  if (d.allocationPools === undefined) {
    allocationPools = defaultPools(cidr, gateway).map((r) => rangeToPool(cidr, r));
  } else {
    const pools = validatePools(cidr, d.allocationPools, gateway);
    if (!pools.ok) return pools.rejection;
    allocationPools = pools.pools;
  }
  const dnsNameservers = checkDnsNameservers(d.id, cidr, d.dnsNameservers);
  if (isRejection(dnsNameservers)) return dnsNameservers;
  const hostRoutes = checkHostRoutes(d.id, cidr, d.hostRoutes);
  if (isRejection(hostRoutes)) return hostRoutes;

  const data: SubnetData = {
    ...d,
    cidr: cidr.text,
    gatewayIp: gateway ? formatIp(gateway) : null,
    allocationPools,
    dnsNameservers,
    hostRoutes,
  };
  return [{ type: 'SubnetCreated', data }];
}

function decide(command: SubnetCommand, state: SubnetState): Decision<SubnetEvent> {
  switch (command.type) {
    case 'CreateSubnet':
      if (state.status !== 'absent') return conflict('SubnetExists', `Subnet ${command.data.id} already exists`);
      return create(command);
    case 'UpdateSubnet': {
      if (state.status !== 'active') return subnetNotFound(command.data.id);
      const changes = checkChanges(state.subnet, command.data.changes, command.facts?.gatewayPortId ?? null);
      if (isRejection(changes)) return changes;
      if (Object.keys(changes).length === 0) return [];
      return [{ type: 'SubnetUpdated', data: { id: state.subnet.id, networkId: state.subnet.networkId, changes } }];
    }
    case 'DeleteSubnet': {
      if (state.status !== 'active') return subnetNotFound(command.data.id);
      if (command.facts.portsInUse > 0) {
        return conflict(
          'SubnetInUse',
          `Unable to complete operation on subnet ${command.data.id}: One or more ports have an IP allocation from this subnet.`,
        );
      }
      return [{ type: 'SubnetDeleted', data: { id: state.subnet.id, networkId: state.subnet.networkId } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: SubnetState, event: { type: string; data: unknown }): SubnetState {
  const e = event as SubnetEvent;
  switch (e.type) {
    case 'SubnetCreated':
      return { status: 'active', subnet: e.data };
    case 'SubnetUpdated':
      return state.status === 'active' ? { status: 'active', subnet: { ...state.subnet, ...e.data.changes } } : state;
    case 'SubnetDeleted':
      return { status: 'deleted', id: e.data.id, networkId: e.data.networkId };
    default:
      return state;
  }
}

export const subnetDecider: Decider<SubnetCommand, SubnetState, SubnetEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
};

/** The subnet's block, parsed; subnets in state were validated when created. */
export const subnetCidr = (s: SubnetData) => mustParseCidr(s.cidr);
