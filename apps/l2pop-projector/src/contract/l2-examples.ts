import type { L2Delta, L2EntryDelta, L2Resync, L2Snapshot } from './l2-documents';

/*
 * Examples of the L2 agent contract for the OpenAPI page, typed against the
 * documents themselves so they cannot drift from what the server sends.
 */
const NET = '7d3c1f0e-9a55-4c2e-9a64-3a4f4e1b2c01';
const GROUP = '5b8e0c6a-1f2d-4e3b-8a7c-2d9e0f1a2b3c';

export const L2_SNAPSHOT_EXAMPLE: L2Snapshot = {
  host: 'compute-1',
  revision: '3-42',
  networks: {
    [NET]: {
      network_type: 'vxlan',
      segmentation_id: 1001,
      flood: ['198.18.0.2', '198.18.0.3'],
      fdb: { '198.18.0.2': [['fa:16:3e:00:00:02', '10.0.0.7']] },
    },
  },
  ipsets: {
    [`NIPv4${GROUP.slice(0, 18)}`]: { security_group_id: GROUP, ethertype: 'IPv4', members: ['10.0.0.5', '10.0.0.7'] },
  },
  ports: {
    '0b6f3c2e-4d5a-4e8f-9a1b-2c3d4e5f6a7b': {
      network_id: NET,
      network_type: 'vxlan',
      segmentation_id: 1001,
      mac_address: 'fa:16:3e:00:00:05',
      fixed_ips: ['10.0.0.5'],
      allowed_address_pairs: [],
      security_groups: [GROUP],
      port_security_enabled: true,
      device_owner: 'compute:nova',
    },
  },
  security_groups: {
    [GROUP]: [
      {
        id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: 22,
        port_range_max: 22,
        remote_ip_prefix: null,
        remote_group_id: GROUP,
      },
      {
        id: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a',
        direction: 'egress',
        ethertype: 'IPv4',
        protocol: null,
        port_range_min: null,
        port_range_max: null,
        remote_ip_prefix: null,
        remote_group_id: null,
      },
    ],
  },
};

export const L2_DELTA_EXAMPLE: L2Delta = {
  host: 'compute-1',
  revision: '3-44',
  since: '3-42',
  resync: false,
  // A port came up on 198.18.0.3: its remote's whole entry list; null would mean the host left the network.
  networks: { [NET]: { network_type: 'vxlan', segmentation_id: 1001, remotes: { '198.18.0.3': [['fa:16:3e:00:00:09', '10.0.0.9']] } } },
  ipsets: {
    [`NIPv4${GROUP.slice(0, 18)}`]: { security_group_id: GROUP, ethertype: 'IPv4', members: ['10.0.0.5', '10.0.0.7', '10.0.0.9'] },
  },
};

export const L2_ENTRY_DELTA_EXAMPLE: L2EntryDelta = {
  host: 'compute-1',
  revision: '3-44',
  since: '3-42',
  resync: false,
  delta: 'entries',
  // The same change entry by entry: one FDB entry and one set member added, whatever the size of the network and group.
  networks: {
    [NET]: {
      network_type: 'vxlan',
      segmentation_id: 1001,
      flood: { added: [], removed: [] },
      fdb: { added: [['198.18.0.3', 'fa:16:3e:00:00:09', '10.0.0.9']], removed: [] },
    },
  },
  ipsets: {
    [`NIPv4${GROUP.slice(0, 18)}`]: { security_group_id: GROUP, ethertype: 'IPv4', members: { added: ['10.0.0.9'], removed: [] } },
  },
};

export const L2_RESYNC_EXAMPLE: L2Resync = { ...L2_SNAPSHOT_EXAMPLE, since: '2-17', resync: true };
