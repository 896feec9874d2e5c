import { portDecider, routerDecider, routerPlacementDecider, routerPortsHost } from '@cp/domain';
import type { UnitOfWork } from './command-runner';
import { updatePortInUow } from './port-writes';
import { portStream, routerHaStream, routerStream } from './streams';

/**
 * The host a router's own ports belong on now (see routerPortsHost), read from
 * its placement stream in this command: `undefined` leaves them where they are.
 */
export async function routerPortsHostNow(uow: UnitOfWork, routerId: string): Promise<string | null | undefined> {
  return routerPortsHost(await uow.load(routerPlacementDecider, routerHaStream(routerId)));
}

/**
 * Binds a router's interface and gateway ports to the host that runs it, as
 * Neutron does when the L3 agent syncs (legacy) or reports active (HA): the
 * host's L2 agent then reports them up and they go ACTIVE. A port moving to
 * another host goes DOWN until the new host reports it; `null` unbinds them.
 * Called by every command that changes where a router runs, in its transaction.
 */
export async function bindRouterPorts(uow: UnitOfWork, routerId: string, host: string | null | undefined): Promise<void> {
  if (host === undefined) return;
  const router = await uow.load(routerDecider, routerStream(routerId));
  if (router.status !== 'active') return;
  const portIds = [...Object.keys(router.interfaces), ...(router.gateway ? [router.gateway.portId] : [])];
  for (const id of portIds) {
    const port = await uow.load(portDecider, portStream(id));
    if (port.status === 'active' && port.port.hostId !== (host ?? '')) await updatePortInUow(uow, id, { hostId: host ?? '' });
  }
}
