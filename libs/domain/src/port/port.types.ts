import type { DataOf } from '@cp/events';
import type { UsedIps } from '../ipam';
import type { ExtraDhcpOptRequest } from './extra-dhcp-opts';
import type { NetworkData } from '../network/network.decider';
import type { SubnetData } from '../subnet/subnet.decider';

export type PortData = DataOf<'PortCreated'>;
export type PortStatus = 'DOWN' | 'ACTIVE';
/** What the stream folds to: the created data kept current, plus the status agents report. */
export type PortView = PortData & { status: PortStatus };

export type PortState =
  { status: 'absent' } | { status: 'active'; port: PortView } | { status: 'deleted'; id: string; networkId: string; projectId: string };

/** One entry of a request's fixed_ips: a subnet, an address, or both. */
export interface FixedIpRequest {
  subnetId?: string;
  ipAddress?: string;
}

/** An allowed address pair as asked for; the MAC defaults to the port's own. */
export interface AddressPairRequest {
  ipAddress: string;
  macAddress?: string;
}

/** What IP allocation needs to know about the port's network. */
export interface IpamFacts {
  /** Every live subnet of the port's network, oldest first (automatic allocation takes them in this order). */
  subnets: readonly SubnetData[];
  /**
   * Addresses taken per subnet id, in canonical text, including this port's own.
   * A subnet without an entry has none taken.
   */
  usedIps: Readonly<Record<string, UsedIps>>;
}

export interface CreatePortData extends Omit<PortData, 'fixedIps' | 'allowedAddressPairs' | 'macAddress' | 'extraDhcpOpts'> {
  /** Given by the client, or generated at the edge (then `macGenerated`). */
  macAddress: string;
  macGenerated: boolean;
  /** Absent: allocate automatically. []: a port with no address. */
  fixedIps?: FixedIpRequest[];
  allowedAddressPairs: AddressPairRequest[];
  extraDhcpOpts?: ExtraDhcpOptRequest[];
}

export interface CreatePortFacts extends IpamFacts {
  /** The port's network; null when it does not exist or the caller may not see it. */
  network: NetworkData | null;
  /** Some other port on the network already has this MAC. */
  macInUse: boolean;
  /** Requested security group ids that do not exist or the caller may not use. */
  missingSecurityGroups: readonly string[];
}

type Mutable = Omit<DataOf<'PortUpdated'>['changes'], 'fixedIps' | 'allowedAddressPairs' | 'extraDhcpOpts'>;

export interface UpdatePortChanges extends Mutable {
  fixedIps?: FixedIpRequest[];
  allowedAddressPairs?: AddressPairRequest[];
  /** Merged into the port's options (a null value removes one). */
  extraDhcpOpts?: ExtraDhcpOptRequest[];
  /** binding:host_id; '' unbinds. */
  hostId?: string;
  macAddress?: string;
}

export interface UpdatePortFacts extends Partial<IpamFacts> {
  missingSecurityGroups?: readonly string[];
  /** Whether the MAC asked for is another port's on the network (read only when a MAC change is asked for). */
  macInUse?: boolean;
}
