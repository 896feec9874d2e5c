import type { DataOf, FloatingIpAssociation } from '@cp/events';
import { assertNever, badRequest, conflict, notFound, type Decider, type Decision, type Events } from '../decider';
import { parseIp } from '../ipam';

export type FloatingIpData = DataOf<'FloatingIpCreated'>;

export type FloatingIpState =
  | { status: 'absent' }
  | { status: 'active'; fip: FloatingIpData; association: FloatingIpAssociation | null }
  | { status: 'deleted'; id: string };

/**
 * What the command side read for an association, in the command's transaction:
 * the port, which router (with a gateway to the floating network) has an
 * interface on each of its subnets, and which floating IP of that network
 * already maps each of its fixed IPs. The decider picks and checks.
 */
export interface AssociationFacts {
  port: { id: string; projectId: string; deviceOwner: string; fixedIps: ReadonlyArray<{ subnetId: string; ipAddress: string }> };
  /** `fixed_ip_address` as asked; absent: the port's only IPv4 address. */
  fixedIpAddress?: string;
  /** By subnet id: the router that reaches the floating network from it, or null. */
  routerBySubnet: Readonly<Record<string, string | null>>;
  /** By fixed IP: the floating IP of the same external network that maps it now, if any. */
  mappedBy: Readonly<Record<string, string | null>>;
}

export type FloatingIpCommand =
  | { type: 'CreateFloatingIp'; data: FloatingIpData; associate: AssociationFacts | null }
  | { type: 'AssociateFloatingIp'; data: { id: string }; associate: AssociationFacts }
  | { type: 'DisassociateFloatingIp'; data: { id: string; reason: 'requested' | 'port_deleted' } }
  | { type: 'UpdateFloatingIp'; data: { id: string; changes: { description?: string } } }
  | { type: 'DeleteFloatingIp'; data: { id: string } };

export type FloatingIpEvent = Events<
  'FloatingIpCreated' | 'FloatingIpAssociated' | 'FloatingIpDisassociated' | 'FloatingIpUpdated' | 'FloatingIpDeleted'
>;

const notFoundFip = (id: string) => notFound('FloatingIPNotFound', `Floating IP ${id} could not be found`);
const isV4 = (ip: string) => parseIp(ip)?.version === 4;

/**
 * Neutron's `_get_assoc_data`: the fixed IP (the one asked for, or the port's
 * only IPv4 address), the router that reaches the floating network from its
 * subnet, and no other floating IP of that network on it.
 */
export function resolveAssociation(fip: FloatingIpData, facts: AssociationFacts): FloatingIpAssociation | ReturnType<typeof badRequest> {
  const { port } = facts;
  if (port.deviceOwner.startsWith('network:')) {
    return badRequest(`Bad floatingip request: Port ${port.id} has owner ${port.deviceOwner} and cannot be associated with a floating IP.`);
  }
  if (port.projectId !== fip.projectId) {
    return badRequest(
      `Bad floatingip request: Cannot create floating IP and bind it to Port ${port.id}, since that port is owned by a different tenant.`,
    );
  }
  const v4 = port.fixedIps.filter((f) => isV4(f.ipAddress));
  let fixed: { subnetId: string; ipAddress: string } | undefined;
  if (facts.fixedIpAddress !== undefined) {
    fixed = port.fixedIps.find((f) => f.ipAddress === facts.fixedIpAddress);
    if (!fixed) return badRequest(`Bad floatingip request: Port ${port.id} does not have fixed ip ${facts.fixedIpAddress}.`);
    if (!isV4(fixed.ipAddress))
      return badRequest(
        `Bad floatingip request: Cannot process floating IP association with ${fixed.ipAddress}, since that is not an IPv4 address.`,
      );
  } else if (v4.length === 0) {
    return badRequest(`Bad floatingip request: Port ${port.id} does not have any IPv4 address.`);
  } else if (v4.length > 1) {
    return badRequest(
      `Port ${port.id} has multiple fixed IPv4 addresses. Must provide a specific IPv4 address when assigning a floating IP.`,
    );
  } else {
    fixed = v4[0];
  }
  const routerId = facts.routerBySubnet[fixed.subnetId] ?? null;
  if (!routerId) {
    return notFound(
      'ExternalGatewayForFloatingIPNotFound',
      `External network ${fip.floatingNetworkId} is not reachable from subnet ${fixed.subnetId}. Therefore, cannot associate Port ${port.id} with a Floating IP.`,
    );
  }
  const holder = facts.mappedBy[fixed.ipAddress] ?? null;
  if (holder && holder !== fip.id) {
    return conflict(
      'FloatingIPPortAlreadyAssociated',
      `Cannot associate floating IP ${fip.floatingIpAddress} (${fip.id}) with port ${port.id} using fixed IP ${fixed.ipAddress}, as that fixed IP already has a floating IP on external network ${fip.floatingNetworkId}.`,
    );
  }
  return { portId: port.id, fixedIpAddress: fixed.ipAddress, routerId };
}

function associate(fip: FloatingIpData, current: FloatingIpAssociation | null, facts: AssociationFacts): Decision<FloatingIpEvent> {
  const next = resolveAssociation(fip, facts);
  if ('rejected' in next) return next;
  const same =
    current && current.portId === next.portId && current.fixedIpAddress === next.fixedIpAddress && current.routerId === next.routerId;
  if (same) return [];
  const ref = { id: fip.id, projectId: fip.projectId, floatingNetworkId: fip.floatingNetworkId };
  return [{ type: 'FloatingIpAssociated', data: { ...ref, floatingIpAddress: fip.floatingIpAddress, ...next } }];
}

function decide(command: FloatingIpCommand, state: FloatingIpState): Decision<FloatingIpEvent> {
  if (command.type === 'CreateFloatingIp') {
    if (state.status !== 'absent') return conflict('FloatingIPExists', `Floating IP ${command.data.id} already exists.`);
    const created: FloatingIpEvent = { type: 'FloatingIpCreated', data: command.data };
    if (!command.associate) return [created];
    const assoc = associate(command.data, null, command.associate);
    return 'rejected' in assoc ? assoc : [created, ...assoc];
  }
  if (state.status !== 'active') return notFoundFip(command.data.id);
  const { fip, association } = state;
  const ref = { id: fip.id, projectId: fip.projectId, floatingNetworkId: fip.floatingNetworkId };
  switch (command.type) {
    case 'AssociateFloatingIp':
      return associate(fip, association, command.associate);
    case 'DisassociateFloatingIp':
      if (!association) return [];
      return [
        {
          type: 'FloatingIpDisassociated',
          data: { ...ref, portId: association.portId, routerId: association.routerId, reason: command.data.reason },
        },
      ];
    case 'UpdateFloatingIp': {
      const { description } = command.data.changes;
      if (description === undefined || description === fip.description) return [];
      return [{ type: 'FloatingIpUpdated', data: { ...ref, changes: { description } } }];
    }
    case 'DeleteFloatingIp':
      return [{ type: 'FloatingIpDeleted', data: { ...ref, floatingPortId: fip.floatingPortId } }];
    default:
      return assertNever(command);
  }
}

function evolve(state: FloatingIpState, event: { type: string; data: unknown }): FloatingIpState {
  const e = event as FloatingIpEvent;
  if (e.type === 'FloatingIpCreated') return { status: 'active', fip: e.data, association: null };
  if (e.type === 'FloatingIpDeleted') return { status: 'deleted', id: e.data.id };
  if (state.status !== 'active') return state;
  switch (e.type) {
    case 'FloatingIpAssociated':
      return { ...state, association: { portId: e.data.portId, fixedIpAddress: e.data.fixedIpAddress, routerId: e.data.routerId } };
    case 'FloatingIpDisassociated':
      return { ...state, association: null };
    case 'FloatingIpUpdated':
      return { ...state, fip: { ...state.fip, ...e.data.changes } };
    default:
      return state;
  }
}

export const floatingIpDecider: Decider<FloatingIpCommand, FloatingIpState, FloatingIpEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent' }),
};
