import { conflict, isRejection, type Rejection } from '../decider';
import { formatIp, mustParseCidr, parseIp, validatePools } from '../ipam';
import type { SubnetChanges, SubnetData } from './subnet.types';
import { checkDhcpPrefix, checkDnsNameservers, checkGateway, checkHostRoutes, checkIpv6Modes } from './subnet.validation';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Validates an UpdateSubnet against the current subnet and returns only what
 * actually changes, in canonical form. Gateway and pools are checked against
 * each other whichever of the two moves: a new gateway may not land in the
 * current pools, and new pools may not swallow the current gateway.
 */
export function checkChanges(subnet: SubnetData, requested: SubnetChanges, gatewayPortId: string | null): SubnetChanges | Rejection {
  const c = mustParseCidr(subnet.cidr);
  const out: SubnetChanges = {};

  if (requested.name !== undefined && requested.name !== subnet.name) out.name = requested.name;
  if (requested.description !== undefined && requested.description !== subnet.description) out.description = requested.description;

  const enableDhcp = requested.enableDhcp ?? subnet.enableDhcp;
  if (enableDhcp !== subnet.enableDhcp) {
    // Only a switch on is checked, as in Neutron: existing DHCP subnets stay updatable.
    const prefix = enableDhcp ? checkDhcpPrefix(c) : null;
    if (prefix) return prefix;
    const modes = checkIpv6Modes(c, subnet.ipv6RaMode, subnet.ipv6AddressMode, enableDhcp);
    if (modes) return modes;
    out.enableDhcp = enableDhcp;
  }

  const currentGateway = subnet.gatewayIp === null ? null : parseIp(subnet.gatewayIp);
  let gateway = currentGateway;
  if (requested.gatewayIp !== undefined) {
    const checked = checkGateway(c, requested.gatewayIp);
    if (isRejection(checked)) return checked;
    const text = checked ? formatIp(checked) : null;
    if (text !== subnet.gatewayIp) {
      if (gatewayPortId) {
        return conflict(
          'GatewayIpInUse',
          `Current gateway ip ${subnet.gatewayIp} already in use by port ${gatewayPortId}. Unable to update.`,
        );
      }
      out.gatewayIp = text;
      gateway = checked;
    }
  }

  if (requested.allocationPools !== undefined || out.gatewayIp !== undefined) {
    const pools = validatePools(c, requested.allocationPools ?? subnet.allocationPools, gateway);
    if (!pools.ok) return pools.rejection;
    if (!same(pools.pools, subnet.allocationPools)) out.allocationPools = pools.pools;
  }

  if (requested.dnsNameservers !== undefined) {
    const dns = checkDnsNameservers(subnet.id, c, requested.dnsNameservers);
    if (isRejection(dns)) return dns;
    if (!same(dns, subnet.dnsNameservers)) out.dnsNameservers = dns;
  }
  if (requested.hostRoutes !== undefined) {
    const routes = checkHostRoutes(subnet.id, c, requested.hostRoutes);
    if (isRejection(routes)) return routes;
    if (!same(routes, subnet.hostRoutes)) out.hostRoutes = routes;
  }
  return out;
}
