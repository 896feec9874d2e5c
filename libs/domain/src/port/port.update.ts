import { conflict, isRejection, type Decision, type Events } from '../decider';
import { mergeExtraDhcpOpts } from './extra-dhcp-opts';
import { assignFixedIps } from './fixed-ips';
import {
  checkAddressPairs,
  checkMac,
  macInUse,
  checkSecurityGroupsExist,
  pairsNeedPortSecurity,
  portHasSecurityGroup,
  securityGroupsNeedPortSecurity,
  uniqueIds,
} from './port-security';
import type { PortView, UpdatePortChanges, UpdatePortFacts } from './port.types';

export type UpdatePortEvent = Events<'PortUpdated' | 'PortBoundToHost' | 'PortUnbound'>;
type Changes = Events<'PortUpdated'>['data']['changes'];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One PortUpdated with only what differs, then a binding event if the host
 * moved. An update that changes nothing emits nothing.
 */
export function updatePort(port: PortView, req: UpdatePortChanges, facts: UpdatePortFacts): Decision<UpdatePortEvent> {
  // Only an unbound port's MAC may change (Neutron: PortBound); the MAC index keeps it unique on the network.
  let newMac: string | null = null;
  if (req.macAddress !== undefined) {
    const mac = checkMac(req.macAddress);
    if (isRejection(mac)) return mac;
    if (mac !== port.macAddress) {
      if (port.hostId !== '') {
        return conflict(
          'PortBound',
          `Unable to complete operation on port ${port.id}, port is already bound, old_mac ${port.macAddress}, new_mac ${mac}.`,
        );
      }
      if (facts.macInUse) return macInUse(port.networkId, mac);
      newMac = mac;
    }
  }

  const psec = req.portSecurityEnabled ?? port.portSecurityEnabled;
  const groups = req.securityGroups !== undefined ? uniqueIds(req.securityGroups) : port.securityGroups;
  if (!psec && groups.length > 0) {
    return req.securityGroups !== undefined ? securityGroupsNeedPortSecurity() : portHasSecurityGroup();
  }
  const pairs =
    req.allowedAddressPairs !== undefined
      ? checkAddressPairs(req.allowedAddressPairs, newMac ?? port.macAddress)
      : port.allowedAddressPairs;
  if (isRejection(pairs)) return pairs;
  if (!psec && pairs.length > 0) return pairsNeedPortSecurity();
  const extraDhcpOpts = req.extraDhcpOpts !== undefined ? mergeExtraDhcpOpts(port.extraDhcpOpts ?? [], req.extraDhcpOpts) : null;
  if (isRejection(extraDhcpOpts)) return extraDhcpOpts;
  if (req.securityGroups !== undefined) {
    const missing = checkSecurityGroupsExist(facts.missingSecurityGroups ?? []);
    if (missing) return missing;
  }

  const changes: Changes = {};
  for (const key of ['name', 'description', 'adminStateUp', 'deviceId', 'deviceOwner'] as const) {
    if (req[key] !== undefined && req[key] !== port[key]) (changes as Record<string, unknown>)[key] = req[key];
  }
  if (newMac !== null) changes.macAddress = newMac;
  if (psec !== port.portSecurityEnabled) changes.portSecurityEnabled = psec;
  if (!same(groups, port.securityGroups)) changes.securityGroups = groups;
  if (!same(pairs, port.allowedAddressPairs)) changes.allowedAddressPairs = pairs;
  if (extraDhcpOpts && !same(extraDhcpOpts, port.extraDhcpOpts ?? [])) changes.extraDhcpOpts = extraDhcpOpts;

  if (req.fixedIps !== undefined) {
    if (!facts.subnets || !facts.usedIps) throw new Error('UpdatePort with fixedIps needs facts.subnets and facts.usedIps');
    const fixedIps = assignFixedIps({
      networkId: port.networkId,
      macAddress: newMac ?? port.macAddress,
      deviceOwner: req.deviceOwner ?? port.deviceOwner,
      requests: req.fixedIps,
      original: port.fixedIps,
      facts: { subnets: facts.subnets, usedIps: facts.usedIps },
    });
    if (isRejection(fixedIps)) return fixedIps;
    if (!same(fixedIps, port.fixedIps)) changes.fixedIps = fixedIps;
  }

  const ref = { id: port.id, networkId: port.networkId, projectId: port.projectId };
  const events: UpdatePortEvent[] = [];
  if (Object.keys(changes).length > 0) events.push({ type: 'PortUpdated', data: { ...ref, changes } });
  if (req.hostId !== undefined && req.hostId !== port.hostId) {
    events.push(
      req.hostId === ''
        ? { type: 'PortUnbound', data: { ...ref, previousHost: port.hostId } }
        : { type: 'PortBoundToHost', data: { ...ref, host: req.hostId, previousHost: port.hostId } },
    );
  }
  return events;
}
