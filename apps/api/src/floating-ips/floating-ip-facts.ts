import { routerDecider, type AssociationFacts } from '@cp/domain';
import { fail, FLOATINGIP, loadPort, PORT, routerStream, type UnitOfWork } from '@cp/write-model';

/** A router's interfaces on tenant networks (Neutron's ROUTER_INTERFACE_OWNERS). */
const INTERFACE_OWNERS = new Set(['network:router_interface', 'network:ha_router_replicated_interface']);

/**
 * What the floating IP decider needs to associate with `portId`, read in the
 * command's transaction (writers are serialised, so the check cannot race
 * another association): the port, the router reaching the floating network
 * from each of its subnets, and the floating IPs of that network mapping it.
 */
export async function associationFacts(
  uow: UnitOfWork,
  floatingNetworkId: string,
  portId: string,
  fixedIpAddress: string | undefined,
): Promise<AssociationFacts> {
  // Looked up whoever owns it, as Neutron does: another project's port is then refused as such (400), not hidden.
  const state = await loadPort(uow, portId);
  if (state.status !== 'active') fail(404, 'PortNotFound', `Port ${portId} could not be found.`);
  const { port } = state;
  const routerBySubnet: Record<string, string | null> = {};
  for (const { subnetId } of port.fixedIps) {
    if (!(subnetId in routerBySubnet)) routerBySubnet[subnetId] = await routerReaching(uow, port.networkId, subnetId, floatingNetworkId);
  }
  const mappedBy: Record<string, string> = {};
  for (const fip of await uow.resources.list(FLOATINGIP, { parentId: portId }, uow.tx)) {
    if (fip.floating_network_id === floatingNetworkId) mappedBy[String(fip.fixed_ip_address)] = String(fip.id);
  }
  return {
    port: { id: port.id, projectId: port.projectId, deviceOwner: port.deviceOwner, fixedIps: port.fixedIps },
    fixedIpAddress,
    routerBySubnet,
    mappedBy,
  };
}

/** The router with an interface on the subnet and its gateway on the external network (the first by id, if several). */
async function routerReaching(uow: UnitOfWork, networkId: string, subnetId: string, externalNetworkId: string): Promise<string | null> {
  const ports = await uow.resources.list(PORT, { parentId: networkId }, uow.tx);
  const routerIds = ports
    .filter((p) => INTERFACE_OWNERS.has(String(p.device_owner)))
    .filter((p) => (p.fixed_ips as Array<{ subnet_id: string }>).some((f) => f.subnet_id === subnetId))
    .map((p) => String(p.device_id))
    .sort();
  for (const id of routerIds) {
    const router = await uow.load(routerDecider, routerStream(id));
    if (router.status === 'active' && router.gateway?.networkId === externalNetworkId) return id;
  }
  return null;
}

/** The floating IPs a router maps now, each with the subnet of the fixed IP it maps. */
export async function floatingIpsVia(
  uow: UnitOfWork,
  routerId: string,
): Promise<Array<{ id: string; floatingNetworkId: string; subnetId: string | null }>> {
  const fips = (await uow.resources.list(FLOATINGIP, {}, uow.tx)).filter((f) => f.router_id === routerId);
  const out = [];
  for (const fip of fips) {
    const port = await loadPort(uow, String(fip.port_id));
    const fixed = port.status === 'active' ? port.port.fixedIps.find((ip) => ip.ipAddress === fip.fixed_ip_address) : undefined;
    out.push({ id: String(fip.id), floatingNetworkId: String(fip.floating_network_id), subnetId: fixed?.subnetId ?? null });
  }
  return out;
}
