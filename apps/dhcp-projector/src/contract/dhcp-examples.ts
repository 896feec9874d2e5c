import type { DhcpDelta, DhcpNetworkDoc, DhcpSnapshot } from './dhcp-documents';

/* Examples of the DHCP agent contract for the OpenAPI page, typed against the documents. */
const NET = '7d3c1f0e-9a55-4c2e-9a64-3a4f4e1b2c01';
const SUBNET = '4d5e6f7a-8b9c-4d0e-8f2a-3b4c5d6e7f8a';

const network: DhcpNetworkDoc = {
  agent_id: '1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b',
  mtu: 1450,
  admin_state_up: true,
  lease_duration: 86400,
  dns_domain: 'openstacklocal',
  port: {
    id: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d',
    mac_address: 'fa:16:3e:20:00:02',
    fixed_ips: [{ subnet_id: SUBNET, ip_address: '10.0.0.2' }],
  },
  subnets: [
    {
      id: SUBNET,
      ip_version: 4,
      cidr: '10.0.0.0/24',
      gateway_ip: '10.0.0.1',
      dns_nameservers: [],
      host_routes: [],
      ipv6_address_mode: null,
      ipv6_ra_mode: null,
    },
  ],
  hosts: [
    {
      port_id: '9c0d1e2f-3a4b-4c5d-8e7f-8a9b0c1d2e3f',
      mac_address: 'fa:16:3e:00:00:07',
      ip_address: '10.0.0.7',
      subnet_id: SUBNET,
      hostname: 'host-10-0-0-7',
      extra_dhcp_opts: [{ opt_name: 'bootfile-name', opt_value: 'pxelinux.0', ip_version: 4 }],
    },
  ],
};

export const DHCP_SNAPSHOT_EXAMPLE: DhcpSnapshot = { host: 'network-1', revision: '1-5', networks: { [NET]: network } };

export const DHCP_DELTA_EXAMPLE: DhcpDelta = {
  host: 'network-1',
  revision: '1-6',
  since: '1-5',
  resync: false,
  // A network is given whole when anything of it changed; null: this host no longer serves it.
  networks: { [NET]: { ...network, hosts: [] } },
};
