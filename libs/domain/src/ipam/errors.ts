import { badRequest, conflict } from '../decider';

/**
 * Neutron's InvalidInput wraps its detail in a fixed sentence; clients (and
 * tempest) match on the whole text, so we build it the same way.
 */
export const invalidInput = (detail: string) => badRequest(`Invalid input for operation: ${detail}.`, 'InvalidInput');

export const poolText = (p: { start: string; end: string }) => `${p.start}-${p.end}`;

export const invalidAllocationPool = (p: { start: string; end: string }) =>
  badRequest(`The allocation pool ${poolText(p)} is not valid.`, 'InvalidAllocationPool');

export const outOfBoundsAllocationPool = (p: { start: string; end: string }, cidr: string) =>
  badRequest(`The allocation pool ${poolText(p)} spans beyond the subnet cidr ${cidr}.`, 'OutOfBoundsAllocationPool');

export const overlappingAllocationPools = (a: { start: string; end: string }, b: { start: string; end: string }, cidr: string) =>
  conflict('OverlappingAllocationPools', `Found overlapping allocation pools: ${poolText(a)} ${poolText(b)} for subnet ${cidr}.`);

export const gatewayConflict = (gateway: string, p: { start: string; end: string }) =>
  conflict('GatewayConflictWithAllocationPools', `Gateway ip ${gateway} conflicts with allocation pool ${poolText(p)}.`);

/**
 * A malformed attribute: Neutron's API layer refuses it before the plugin runs,
 * as webob's HTTPBadRequest with this wording.
 */
export const invalidAttribute = (attr: string, reason: string) =>
  badRequest(`Invalid input for ${attr}. Reason: ${reason}.`, 'HTTPBadRequest');

export const notAnIp = (attr: string, text: string) => invalidAttribute(attr, `'${text}' is not a valid IP address`);

/** Neutron's _validate_ip_version wording. */
export const versionMismatch = (name: string, addr: string, version: 4 | 6) =>
  invalidInput(`${name} '${addr}' does not match the ip_version '${version}'`);
