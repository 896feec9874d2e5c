import ipaddr from 'ipaddr.js';
import { badRequest, isRejection, type Rejection } from '../decider';
import type { SecurityGroupRule, SecurityGroupRuleRequest } from './security-group.commands';
import { checkEthertypeAllowsProtocol, convertProtocol, ICMP_PROTOCOLS, PORT_PROTOCOLS, protocolNumber } from './protocol';

/**
 * Validate and convert a rule request the way Neutron's API layer and
 * `_validate_security_group_rule` do, in their order. Checks that need other
 * streams (remote group, duplicates) are the decider's.
 */
export function normaliseRule(req: SecurityGroupRuleRequest): SecurityGroupRule | Rejection {
  const protocol = convertProtocol(req.protocol, req.ethertype);
  if (isRejection(protocol)) return protocol;
  for (const port of [req.portRangeMin, req.portRangeMax]) {
    if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      return badRequest(`Invalid value for port ${port}.`, 'SecurityGroupInvalidPortValue');
    }
  }
  const prefix = req.remoteIpPrefix === null || req.remoteIpPrefix === '' ? null : parsePrefix(req.remoteIpPrefix);
  if (isRejection(prefix)) return prefix;

  const ports = checkPortRange(protocol, req.portRangeMin, req.portRangeMax);
  if (ports) return ports;
  if (prefix && prefix.ethertype !== req.ethertype) {
    return badRequest(`Conflicting value ethertype ${req.ethertype} for CIDR ${req.remoteIpPrefix}`, 'SecurityGroupRuleParameterConflict');
  }
  const conflict = checkEthertypeAllowsProtocol(req.ethertype, protocol);
  if (conflict) return conflict;
  if (prefix && req.remoteGroupId) {
    return badRequest('Only remote_ip_prefix or remote_group_id may be provided.', 'SecurityGroupRemoteGroupAndRemoteIpPrefix');
  }
  return {
    id: req.id,
    securityGroupId: req.securityGroupId,
    projectId: req.projectId,
    direction: req.direction,
    ethertype: req.ethertype,
    protocol,
    portRangeMin: req.portRangeMin,
    portRangeMax: req.portRangeMax,
    remoteIpPrefix: prefix ? prefix.cidr : null,
    remoteGroupId: req.remoteGroupId || null,
    description: req.description,
  };
}

/** Neutron's `_validate_port_range`: what a port range means depends on the protocol. */
function checkPortRange(protocol: string | null, min: number | null, max: number | null): Rejection | null {
  if (min === null && max === null) return null;
  if (protocol === null) {
    return badRequest('Must also specify protocol if port range is given.', 'SecurityGroupProtocolRequiredWithPorts');
  }
  const n = protocolNumber(protocol)!;
  if (PORT_PROTOCOLS.has(n)) {
    if (min === 0 || max === 0) return badRequest('Invalid value for port 0.', 'SecurityGroupInvalidPortValue');
    if (min === null || max === null || min > max) {
      return badRequest('For TCP/UDP protocols, port_range_min must be <= port_range_max', 'SecurityGroupInvalidPortRange');
    }
    return null;
  }
  if (ICMP_PROTOCOLS.has(n)) {
    const fields = [
      ['port_range_min', 'type', min],
      ['port_range_max', 'code', max],
    ] as const;
    for (const [attr, field, value] of fields) {
      if (value !== null && value > 255) {
        return badRequest(`Invalid value for ICMP ${field} (${attr}) ${value}. It must be 0 to 255.`, 'SecurityGroupInvalidIcmpValue');
      }
    }
    if (min === null && max !== null) {
      return badRequest(
        `ICMP code (port-range-max) ${max} is provided but ICMP type (port-range-min) is missing.`,
        'SecurityGroupMissingIcmpType',
      );
    }
    return null;
  }
  return badRequest(
    `Invalid protocol ${n} for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP protocols.`,
    'SecurityGroupInvalidProtocolForPort',
  );
}

/**
 * Parse a remote IP prefix. A bare address means a host route (/32, /128). Host
 * bits are cleared ('10.0.0.5/24' -> '10.0.0.0/24'): what the rule matches is the
 * network, which is what Neutron exposes as `normalized_cidr` and compares for duplicates.
 */
export function parsePrefix(input: string): { cidr: string; ethertype: 'IPv4' | 'IPv6' } | Rejection {
  const invalid = badRequest(`Invalid CIDR ${input} given as IP prefix.`, 'InvalidCIDR');
  const [address, length, ...rest] = input.split('/');
  if (rest.length > 0) return invalid;
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  // Zone ids (fe80::1%eth0) name an interface, not a network.
  const v6 = !v4 && !address.includes('%') && ipaddr.IPv6.isValid(address);
  if (!v4 && !v6) return invalid;
  const max = v4 ? 32 : 128;
  if (length !== undefined && !/^\d{1,3}$/.test(length)) return invalid;
  const bits = length === undefined ? max : Number(length);
  if (bits > max) return invalid;
  const network = v4
    ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${bits}`).toString()
    : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${bits}`).toRFC5952String();
  return { cidr: `${network}/${bits}`, ethertype: v4 ? 'IPv4' : 'IPv6' };
}

/**
 * What makes two rules the same for Neutron's duplicate check (`_rule_to_key`):
 * the description and id do not count, a protocol name equals its number, and
 * "no prefix" equals 0.0.0.0/0 or ::/0.
 */
export function ruleKey(rule: SecurityGroupRule): string {
  const prefix =
    rule.remoteIpPrefix === null || rule.remoteIpPrefix === '0.0.0.0/0' || rule.remoteIpPrefix === '::/0' ? '+' : rule.remoteIpPrefix;
  const protocol = protocolNumber(rule.protocol);
  return JSON.stringify([
    rule.securityGroupId,
    rule.direction,
    rule.ethertype,
    protocol === null ? '+' : protocol,
    rule.portRangeMin ?? '+',
    rule.portRangeMax ?? '+',
    rule.remoteGroupId ?? '+',
    prefix,
  ]);
}
