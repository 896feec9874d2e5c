import { isRejection, notFound, type Decision, type Events } from '../decider';
import { mergeExtraDhcpOpts } from './extra-dhcp-opts';
import { assignFixedIps } from './fixed-ips';
import {
  checkAddressPairs,
  checkMac,
  checkSecurityGroupsExist,
  macGenerationFailed,
  macInUse,
  pairsNeedPortSecurity,
  securityGroupsNeedPortSecurity,
  uniqueIds,
} from './port-security';
import type { CreatePortData, CreatePortFacts, PortData } from './port.types';

export type CreatePortEvent = Events<'PortCreated' | 'PortBoundToHost'>;

/**
 * Checks run in the order Neutron's API and ML2 run them: the network, the
 * MAC, port security against groups and pairs, the groups' existence, then
 * the addresses (which is also where allocation happens).
 */
export function createPort(d: CreatePortData, facts: CreatePortFacts): Decision<CreatePortEvent> {
  if (!facts.network || facts.network.id !== d.networkId) {
    return notFound('NetworkNotFound', `Network ${d.networkId} could not be found.`);
  }
  const mac = checkMac(d.macAddress);
  if (isRejection(mac)) return mac;
  if (facts.macInUse) return d.macGenerated ? macGenerationFailed(d.networkId) : macInUse(d.networkId, mac);

  const securityGroups = uniqueIds(d.securityGroups);
  if (!d.portSecurityEnabled && securityGroups.length > 0) return securityGroupsNeedPortSecurity();
  if (!d.portSecurityEnabled && d.allowedAddressPairs.length > 0) return pairsNeedPortSecurity();
  const missing = checkSecurityGroupsExist(facts.missingSecurityGroups);
  if (missing) return missing;
  const allowedAddressPairs = checkAddressPairs(d.allowedAddressPairs, mac);
  if (isRejection(allowedAddressPairs)) return allowedAddressPairs;
  const extraDhcpOpts = mergeExtraDhcpOpts([], d.extraDhcpOpts ?? []);
  if (isRejection(extraDhcpOpts)) return extraDhcpOpts;

  const fixedIps = assignFixedIps({
    networkId: d.networkId,
    macAddress: mac,
    deviceOwner: d.deviceOwner,
    requests: d.fixedIps,
    original: [],
    facts,
  });
  if (isRejection(fixedIps)) return fixedIps;

  const data: PortData = {
    id: d.id,
    networkId: d.networkId,
    projectId: d.projectId,
    name: d.name,
    description: d.description,
    adminStateUp: d.adminStateUp,
    deviceId: d.deviceId,
    deviceOwner: d.deviceOwner,
    fixedIps,
    securityGroups,
    portSecurityEnabled: d.portSecurityEnabled,
    allowedAddressPairs,
    ...(extraDhcpOpts.length > 0 ? { extraDhcpOpts } : {}),
    macAddress: mac,
    vnicType: d.vnicType,
    hostId: d.hostId,
  };
  const events: CreatePortEvent[] = [{ type: 'PortCreated', data }];
  if (d.hostId !== '') {
    events.push({
      type: 'PortBoundToHost',
      data: { id: d.id, networkId: d.networkId, projectId: d.projectId, host: d.hostId, previousHost: '' },
    });
  }
  return events;
}
