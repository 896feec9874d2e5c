import { z } from 'zod';
import { defineEvent } from '../define-event';
import { addressPair, extraDhcpOpt, fixedIp, id } from './common';

/** Every port event names its network: port events are partitioned by network id. */
const portRef = { id, networkId: id, projectId: z.string() };

const mutable = {
  name: z.string().max(255),
  description: z.string().max(255),
  adminStateUp: z.boolean(),
  deviceId: z.string().max(255),
  deviceOwner: z.string().max(255),
  fixedIps: z.array(fixedIp),
  securityGroups: z.array(id),
  portSecurityEnabled: z.boolean(),
  allowedAddressPairs: z.array(addressPair),
  /** Neutron's extra_dhcp_opts: options the port's DHCP server gives it; absent in events written before it existed ([]). */
  extraDhcpOpts: z.array(extraDhcpOpt).optional(),
};

export const PortCreated = defineEvent(
  'PortCreated',
  z.object({
    ...portRef,
    ...mutable,
    macAddress: z.string(),
    vnicType: z.string(),
    /** binding:host_id at creation; '' when unbound (PortBoundToHost follows for a host). */
    hostId: z.string(),
  }),
);
export const PortUpdated = defineEvent(
  'PortUpdated',
  // macAddress: only an unbound port's MAC may change (added later; optional, so old events still read).
  z.object({ ...portRef, changes: z.object({ ...mutable, macAddress: z.string() }).partial() }),
);
/** binding:host_id set or changed; the port is DOWN until the new host's agent reports it up. */
export const PortBoundToHost = defineEvent('PortBoundToHost', z.object({ ...portRef, host: z.string().min(1), previousHost: z.string() }));
export const PortUnbound = defineEvent('PortUnbound', z.object({ ...portRef, previousHost: z.string() }));
/** The host's L2 agent reported the port up: status ACTIVE. */
export const PortActivated = defineEvent('PortActivated', z.object({ ...portRef, host: z.string() }));
/** The host's L2 agent reported the port down: status DOWN. */
export const PortDeactivated = defineEvent('PortDeactivated', z.object({ ...portRef, host: z.string() }));
export const PortDeleted = defineEvent('PortDeleted', z.object({ ...portRef, host: z.string() }));
