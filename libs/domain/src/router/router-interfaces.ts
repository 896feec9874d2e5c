import { badRequest, conflict, notFound, type Decision, type Events } from '../decider';
import { badRouterRequest, type AddRouterInterfaceData, type SubnetFacts } from './router.commands';
import type { ActiveRouter } from './router.state';
import { checkAddressMode, checkNoOverlap, checkNotOnRouter } from './subnet-checks';

/** Subnet ids of every port the router has, its gateway port included (as Neutron's attached_ports). */
function subnetsOnRouter(state: ActiveRouter): string[] {
  const ids = Object.values(state.interfaces).flatMap((i) => i.subnetIds);
  return [...ids, ...(state.gateway?.externalFixedIps.map((ip) => ip.subnetId) ?? [])];
}

/** Neutron's add_router_interface, by subnet or by port, after the body checks. */
export function addInterface(state: ActiveRouter, cmd: AddRouterInterfaceData): Decision<Events<'RouterInterfaceAdded'>> {
  const { id, projectId } = state.router;
  let portId: string;
  let networkId: string;
  let subnets: SubnetFacts[];
  if (cmd.by === 'subnet') {
    if (!cmd.subnet.gatewayIp) return badRouterRequest('Subnet for router interface must have a gateway IP');
    ({ portId } = cmd);
    networkId = cmd.subnet.networkId;
    subnets = [cmd.subnet];
  } else {
    const { port } = cmd;
    if (port.deviceId) {
      return conflict(
        'PortInUse',
        `Unable to complete operation on port ${port.id} for network ${port.networkId}. Port already has an attached device ${port.deviceId}.`,
      );
    }
    if (port.fixedIps.length === 0) return badRouterRequest('Router port must have at least one fixed IP');
    const ids = [...new Set(port.fixedIps.map((ip) => ip.subnetId))];
    const missing = ids.find((s) => !cmd.subnets.some((f) => f.id === s));
    if (missing) return notFound('SubnetNotFound', `Subnet ${missing} could not be found.`);
    portId = port.id;
    networkId = port.networkId;
    subnets = ids.map((s) => cmd.subnets.find((f) => f.id === s)!);
  }
  for (const subnet of subnets) {
    const invalid = checkAddressMode(subnet);
    if (invalid) return invalid;
  }
  const dup =
    checkNotOnRouter(
      subnetsOnRouter(state),
      subnets.map((s) => s.id),
    ) ?? checkNoOverlap(cmd.routerSubnets, subnets);
  if (dup) return dup;
  if (subnets.filter((s) => s.ipVersion === 4).length > 1) {
    return badRouterRequest('Cannot have multiple IPv4 subnets on router port');
  }
  if (state.interfaces[portId]) return badRouterRequest(`Router already has a port ${portId}`);
  return [{ type: 'RouterInterfaceAdded', data: { id, projectId, portId, networkId, subnetIds: subnets.map((s) => s.id) } }];
}

/**
 * Neutron's remove_router_interface. By port, the whole interface goes; by
 * subnet, only that subnet: a port with other subnets left stays (the edge then
 * drops the fixed IP from the port instead of deleting the port).
 */
export function removeInterface(
  state: ActiveRouter,
  cmd: { portId?: string; subnetId?: string },
): Decision<Events<'RouterInterfaceRemoved'>> {
  const { id, projectId } = state.router;
  const { portId, subnetId } = cmd;
  if (portId !== undefined) {
    const iface = state.interfaces[portId];
    if (!iface) return notFound('RouterInterfaceNotFound', `Router ${id} does not have an interface with id ${portId}`);
    if (subnetId !== undefined && !iface.subnetIds.includes(subnetId)) {
      return badRequest(`Subnet on port ${portId} does not match the requested subnet ${subnetId}`, 'SubnetMismatchForPort');
    }
    return [
      { type: 'RouterInterfaceRemoved', data: { id, projectId, portId, networkId: iface.networkId, subnetIds: [...iface.subnetIds] } },
    ];
  }
  if (subnetId === undefined) return badRouterRequest('Either subnet_id or port_id must be specified');
  const found = Object.entries(state.interfaces).find(([, i]) => i.subnetIds.includes(subnetId));
  if (!found) return notFound('RouterInterfaceNotFoundForSubnet', `Router ${id} has no interface on subnet ${subnetId}`);
  const [foundPort, iface] = found;
  return [
    { type: 'RouterInterfaceRemoved', data: { id, projectId, portId: foundPort, networkId: iface.networkId, subnetIds: [subnetId] } },
  ];
}
