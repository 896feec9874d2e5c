import type { L2Snapshot } from '../../contract/l2-documents';
import { desiredKernel, emptyKernel, planL2 } from './l2-plan';

const NET = 'aaaaaaaa-1111-2222-3333-444444444444';
const view = (over: Partial<L2Snapshot> = {}): L2Snapshot => ({
  host: 'h1',
  revision: '1-1',
  networks: {
    [NET]: {
      network_type: 'vxlan',
      segmentation_id: 1001,
      flood: ['198.18.0.12', '198.18.0.13'],
      fdb: { '198.18.0.12': [['fa:16:3e:00:00:02', '10.0.0.2']] },
    },
  },
  ipsets: {},
  ports: {
    'p1bbbbbbbbb-rest': {
      network_id: NET,
      network_type: 'vxlan',
      segmentation_id: 1001,
      mac_address: 'fa:16:3e:00:00:01',
      fixed_ips: ['10.0.0.1'],
      allowed_address_pairs: [],
      security_groups: [],
      port_security_enabled: false,
      device_owner: 'compute:nova',
    },
  },
  security_groups: {},
  ...over,
});

describe('desiredKernel', () => {
  it("serves a local port's VXLAN network, plugs its tap when present, and programs the remotes", () => {
    const { kernel, unsupported } = desiredKernel(view(), new Set(['tapp1bbbbbbbbb']));
    expect(kernel.networks).toEqual(new Map([[1001, 'brqaaaaaaaa-11']]));
    expect(kernel.taps).toEqual(new Map([['tapp1bbbbbbbbb', 'brqaaaaaaaa-11']]));
    expect(kernel.fdb.get(1001)).toEqual(
      new Set(['00:00:00:00:00:00 198.18.0.12', '00:00:00:00:00:00 198.18.0.13', 'fa:16:3e:00:00:02 198.18.0.12']),
    );
    expect(kernel.neigh.get(1001)).toEqual(new Set(['10.0.0.2 fa:16:3e:00:00:02']));
    expect(unsupported).toEqual([]);
    // No tap yet: the network is ready for it, nothing is plugged.
    expect(desiredKernel(view(), new Set()).kernel.taps.size).toBe(0);
  });

  it('names networks of other types instead of programming them', () => {
    const v = view({ networks: { n2: { network_type: 'vlan', segmentation_id: 7, flood: [], fdb: {} } }, ports: {} });
    expect(desiredKernel(v, new Set()).unsupported).toEqual(['n2 (vlan)']);
  });
});

describe('planL2', () => {
  const want = desiredKernel(view(), new Set(['tapp1bbbbbbbbb'])).kernel;

  it('from nothing: bridge, VXLAN device with ARP proxy, tap, flood (append), unicast (replace) and neighbours', () => {
    const plan = planL2(emptyKernel(), want, '198.18.0.11');
    expect(plan.links).toEqual([
      'link add brqaaaaaaaa-11 type bridge',
      'link set brqaaaaaaaa-11 up',
      'link add vx-1001 type vxlan id 1001 dstport 4789 local 198.18.0.11 nolearning proxy',
      'link set vx-1001 master brqaaaaaaaa-11',
      'link set vx-1001 up',
      'link set tapp1bbbbbbbbb master brqaaaaaaaa-11',
      'link set tapp1bbbbbbbbb up',
    ]);
    expect(plan.fdb.sort()).toEqual([
      'fdb append 00:00:00:00:00:00 dev vx-1001 dst 198.18.0.12',
      'fdb append 00:00:00:00:00:00 dev vx-1001 dst 198.18.0.13',
      'fdb replace fa:16:3e:00:00:02 dev vx-1001 dst 198.18.0.12',
    ]);
    expect(plan.neigh).toEqual(['neigh replace 10.0.0.2 lladdr fa:16:3e:00:00:02 dev vx-1001 nud permanent']);
    expect(plan.removals).toEqual([]);
  });

  it('touches nothing that is already right, and only what changed otherwise', () => {
    expect(planL2(want, want, '198.18.0.11')).toEqual({ links: [], fdb: [], neigh: [], removals: [] });
    const moved = desiredKernel(
      view({
        networks: {
          [NET]: {
            network_type: 'vxlan',
            segmentation_id: 1001,
            flood: ['198.18.0.12', '198.18.0.13'],
            fdb: { '198.18.0.13': [['fa:16:3e:00:00:02', '10.0.0.2']] },
          },
        },
      }),
      new Set(['tapp1bbbbbbbbb']),
    ).kernel;
    const plan = planL2(want, moved, '198.18.0.11');
    expect(plan).toEqual({
      links: [],
      fdb: ['fdb del fa:16:3e:00:00:02 dev vx-1001 dst 198.18.0.12', 'fdb replace fa:16:3e:00:00:02 dev vx-1001 dst 198.18.0.13'],
      // Same IP and MAC: the neighbour stays.
      neigh: [],
      removals: [],
    });
  });

  it('removes a stale entry found in the kernel, and a network the host no longer serves', () => {
    const now = structuredClone(want);
    now.fdb.get(1001)!.add('00:00:00:00:00:00 198.18.0.99');
    now.neigh.get(1001)!.add('10.0.0.9 fa:16:3e:00:00:09');
    now.networks.set(2002, 'brqold');
    const plan = planL2(now, want, '198.18.0.11');
    expect(plan.fdb).toEqual(['fdb del 00:00:00:00:00:00 dev vx-1001 dst 198.18.0.99']);
    expect(plan.neigh).toEqual(['neigh del 10.0.0.9 dev vx-1001']);
    expect(plan.removals).toEqual(['link del vx-2002', 'link del brqold']);
  });
});
