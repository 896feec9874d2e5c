import type { L3Delta, L3RouterDoc, L3Snapshot } from './l3-documents';

/* Examples of the L3 agent contract for the OpenAPI page, typed against the documents. */
const ROUTER = '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

const router: L3RouterDoc = {
  ha: true,
  project_id: 'demo',
  name: 'edge',
  admin_state_up: true,
  ha_network_id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  ha_cidr: '169.254.192.0/18',
  vrid: 1,
  agent_id: '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
  priority: 50,
  state: 'active',
  ha_port: { id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e', mac_address: 'fa:16:3e:10:00:01', ip_address: '169.254.192.3' },
  interfaces: [
    {
      port_id: '3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f',
      network_id: '7d3c1f0e-9a55-4c2e-9a64-3a4f4e1b2c01',
      subnets: [{ id: '4d5e6f7a-8b9c-4d0e-8f2a-3b4c5d6e7f8a', cidr: '10.0.0.0/24', gateway_ip: '10.0.0.1' }],
    },
  ],
  gateway: {
    network_id: '5e6f7a8b-9c0d-4e1f-8a3b-4c5d6e7f8a9b',
    port_id: '6f7a8b9c-0d1e-4f2a-8b4c-5d6e7f8a9b0c',
    enable_snat: true,
    external_fixed_ips: [{ subnet_id: '7a8b9c0d-1e2f-4a3b-8c5d-6e7f8a9b0c1d', ip_address: '198.51.100.10' }],
  },
  floating_ips: [
    {
      id: '8b9c0d1e-2f3a-4b4c-8d6e-7f8a9b0c1d2e',
      floating_ip_address: '198.51.100.20',
      fixed_ip_address: '10.0.0.7',
      port_id: '9c0d1e2f-3a4b-4c5d-8e7f-8a9b0c1d2e3f',
    },
  ],
  active_host: 'network-1',
  split_brain: false,
};

export const L3_SNAPSHOT_EXAMPLE: L3Snapshot = { host: 'network-1', revision: '1-12', routers: { [ROUTER]: router } };

export const L3_DELTA_EXAMPLE: L3Delta = {
  host: 'network-1',
  revision: '1-13',
  since: '1-12',
  resync: false,
  // A router is given whole when anything of it changed; null: it left this host.
  routers: { [ROUTER]: { ...router, state: 'standby', active_host: 'network-2' } },
};
