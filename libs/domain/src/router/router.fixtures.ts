import type { GatewayRequest, RouterData, SubnetFacts } from './router.commands';

/** Shared test data for the router specs. */
export const router: RouterData = { id: 'r1', projectId: 'p1', name: 'r', description: '', adminStateUp: true, ha: true };
export const created = { type: 'RouterCreated' as const, data: router };

export const subnet = (id: string, cidr: string, over: Partial<SubnetFacts> = {}): SubnetFacts => ({
  id,
  networkId: `net-${id}`,
  cidr,
  ipVersion: cidr.includes(':') ? 6 : 4,
  gatewayIp: cidr.replace(/0\/\d+$/, '1'),
  ipv6RaMode: null,
  ipv6AddressMode: null,
  ...over,
});

export const publicNet: GatewayRequest = {
  network: { id: 'ext1', external: true, subnets: [{ id: 'ext-s1', cidr: '203.0.113.0/24', gatewayIp: '203.0.113.1' }] },
  portId: 'gw1',
  enableSnat: true,
  externalFixedIps: [{ subnetId: 'ext-s1', ipAddress: '203.0.113.10' }],
};

export const gatewaySet = (req: GatewayRequest = publicNet, portId = req.portId) => ({
  type: 'RouterGatewaySet' as const,
  data: {
    id: 'r1',
    projectId: 'p1',
    networkId: req.network.id,
    portId,
    enableSnat: req.enableSnat,
    externalFixedIps: req.externalFixedIps,
  },
});

export const interfaceAdded = (portId: string, networkId: string, subnetIds: string[]) => ({
  type: 'RouterInterfaceAdded' as const,
  data: { id: 'r1', projectId: 'p1', portId, networkId, subnetIds },
});

export const interfaceRemoved = (portId: string, networkId: string, subnetIds: string[]) => ({
  type: 'RouterInterfaceRemoved' as const,
  data: { id: 'r1', projectId: 'p1', portId, networkId, subnetIds },
});
