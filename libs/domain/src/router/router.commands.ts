import type { DataOf, FixedIp } from '@cp/events';
import { badRequest, type Rejection } from '../decider';

export type RouterData = DataOf<'RouterCreated'>;
export type RouterChanges = DataOf<'RouterUpdated'>['changes'];

/** A subnet as the edge read it (the facts interface and gateway checks need). */
export interface SubnetFacts {
  id: string;
  networkId: string;
  cidr: string;
  ipVersion: 4 | 6;
  gatewayIp: string | null;
  ipv6RaMode: string | null;
  ipv6AddressMode: string | null;
}

/** A subnet id with its CIDR, for the overlap checks. */
export interface SubnetCidr {
  id: string;
  cidr: string;
}

/**
 * external_gateway_info, resolved by the edge. `portId` is a fresh id for a new
 * gateway port; it is not used when the router keeps its gateway port (same network).
 * `externalFixedIps` are the IPs the gateway port is to have: the requested ones,
 * else allocated by the edge, else (same network, none requested) the current ones.
 */
export interface GatewayRequest {
  network: { id: string; external: boolean; subnets: { id: string; cidr: string; gatewayIp: string | null }[] };
  portId: string;
  enableSnat: boolean;
  externalFixedIps: FixedIp[];
}

/** The port named in add_router_interface by port, as the edge read it. */
export interface PortFacts {
  id: string;
  networkId: string;
  /** Non-empty when another device already owns the port. */
  deviceId: string;
  fixedIps: FixedIp[];
}

export type AddRouterInterfaceData =
  | {
      routerId: string;
      by: 'subnet';
      subnet: SubnetFacts;
      /** Id for the interface port the edge will create with the subnet's gateway IP. */
      portId: string;
      /** Subnets the router already reaches: its interfaces' and every subnet of its gateway network. */
      routerSubnets: SubnetCidr[];
    }
  | {
      routerId: string;
      by: 'port';
      port: PortFacts;
      /** The subnets of the port's fixed IPs. */
      subnets: SubnetFacts[];
      routerSubnets: SubnetCidr[];
    };

export type RouterCommand =
  | { type: 'CreateRouter'; data: RouterData & { gateway: GatewayRequest | null } }
  | { type: 'UpdateRouter'; data: { id: string; changes: RouterChanges } }
  | { type: 'AddRouterInterface'; data: AddRouterInterfaceData }
  | { type: 'RemoveRouterInterface'; data: { routerId: string; portId?: string; subnetId?: string } }
  | {
      type: 'SetRouterGateway';
      /** `interfaceSubnets`: the CIDRs of the subnets on the router's interfaces. */
      data: { routerId: string; gateway: GatewayRequest; interfaceSubnets: SubnetCidr[] };
    }
  | { type: 'ClearRouterGateway'; data: { routerId: string } }
  | { type: 'DeleteRouter'; data: { id: string } };

/** Neutron's BadRequest wording: "Bad router request: <msg>." */
export const badRouterRequest = (msg: string): Rejection => badRequest(`Bad router request: ${msg}.`);

/**
 * The body checks of add/remove_router_interface (`_validate_interface_info`),
 * for the edge to run before it builds a command from the request body.
 */
export function checkInterfaceInfo(body: { subnet_id?: unknown; port_id?: unknown } | null, forRemoval: boolean): Rejection | null {
  const byPort = body?.port_id !== undefined;
  const bySubnet = body?.subnet_id !== undefined;
  if (!byPort && !bySubnet) return badRouterRequest('Either subnet_id or port_id must be specified');
  if (!forRemoval && byPort && bySubnet) return badRouterRequest('Cannot specify both subnet-id and port-id');
  return null;
}
