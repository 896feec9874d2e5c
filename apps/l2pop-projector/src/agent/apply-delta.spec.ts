import type { L2Delta, L2EntryDelta, L2Snapshot } from '../contract/l2-documents';
import { applyDelta, DeltaMismatchError } from './apply-delta';

const base: L2Snapshot = {
  host: 'c1',
  revision: '1-4',
  networks: {
    n1: {
      network_type: 'vxlan',
      segmentation_id: 10,
      flood: ['10.0.0.2', '10.0.0.3'],
      fdb: { '10.0.0.2': [['fa:16:3e:00:00:02', '192.168.0.2']] },
    },
    n2: { network_type: 'gre', segmentation_id: 20, flood: [], fdb: {} },
  },
  ipsets: { NIPv4sg: { security_group_id: 'sg', ethertype: 'IPv4', members: ['192.168.0.1'] } },
  ports: {
    p1: {
      network_id: 'n1',
      network_type: 'vxlan',
      segmentation_id: 10,
      mac_address: 'fa:16:3e:00:00:01',
      fixed_ips: ['192.168.0.1'],
      allowed_address_pairs: [],
      security_groups: ['sg'],
      port_security_enabled: true,
      device_owner: 'compute:nova',
    },
  },
  security_groups: { sg: [] },
};
const delta = (over: Partial<L2Delta>): L2Delta => ({
  host: 'c1',
  revision: '1-7',
  since: '1-4',
  resync: false,
  networks: {},
  ipsets: {},
  ...over,
});

describe('applyDelta', () => {
  it('replaces the copy with a snapshot or a resync, dropping resync fields', () => {
    expect(applyDelta(null, base)).toEqual(base);
    expect(applyDelta(base, { ...base, revision: '2-1', networks: {}, since: '1-4', resync: true })).toEqual({
      ...base,
      revision: '2-1',
      networks: {},
    });
  });

  it('sets and removes remotes; flood lists every remote, the FDB only those with entries', () => {
    const next = applyDelta(
      base,
      delta({
        networks: {
          n1: {
            network_type: 'vxlan',
            segmentation_id: 10,
            remotes: { '10.0.0.2': null, '10.0.0.1': [], '10.0.0.3': [['fa:16:3e:00:00:03', '192.168.0.3']] },
          },
        },
      }),
    );
    expect(next.networks.n1).toEqual({
      network_type: 'vxlan',
      segmentation_id: 10,
      flood: ['10.0.0.1', '10.0.0.3'],
      fdb: { '10.0.0.3': [['fa:16:3e:00:00:03', '192.168.0.3']] },
    });
    expect(next.revision).toBe('1-7');
    expect(next.networks.n2).toEqual(base.networks.n2);
  });

  it('a full network replaces every remote the copy had', () => {
    const next = applyDelta(
      base,
      delta({
        networks: { n1: { network_type: 'vxlan', segmentation_id: 10, full: true, remotes: { '10.0.0.9': [] } } },
      }),
    );
    expect(next.networks.n1).toEqual({ network_type: 'vxlan', segmentation_id: 10, flood: ['10.0.0.9'], fdb: {} });
  });

  it('adds and removes networks and ipsets without touching the input', () => {
    const before = structuredClone(base);
    const next = applyDelta(
      base,
      delta({
        networks: { n2: null, n3: { network_type: 'geneve', segmentation_id: 30, remotes: {} } },
        ipsets: { NIPv4sg: null, NIPv6sg: { security_group_id: 'sg', ethertype: 'IPv6', members: ['fd00::1'] } },
      }),
    );
    expect(Object.keys(next.networks)).toEqual(['n1', 'n3']);
    expect(next.networks.n3).toEqual({ network_type: 'geneve', segmentation_id: 30, flood: [], fdb: {} });
    expect(next.ipsets).toEqual({ NIPv6sg: { security_group_id: 'sg', ethertype: 'IPv6', members: ['fd00::1'] } });
    expect(base).toEqual(before);
  });

  it("keeps the host's ports and rules unless the delta gives them, then takes them whole", () => {
    expect(applyDelta(base, delta({})).ports).toEqual(base.ports);
    const rule = {
      id: 'r1',
      direction: 'ingress' as const,
      ethertype: 'IPv4' as const,
      protocol: 'tcp',
      port_range_min: 22,
      port_range_max: 22,
      remote_ip_prefix: null,
      remote_group_id: 'sg',
    };
    const next = applyDelta(base, delta({ ports: {}, security_groups: { sg: [rule] } }));
    expect(next.ports).toEqual({});
    expect(next.security_groups).toEqual({ sg: [rule] });
  });

  it('refuses a delta that does not start at the local revision, or for another host', () => {
    expect(() => applyDelta(base, delta({ since: '1-3' }))).toThrow(DeltaMismatchError);
    expect(() => applyDelta(null, delta({}))).toThrow(DeltaMismatchError);
    expect(() => applyDelta(base, delta({ host: 'c2' }))).toThrow(DeltaMismatchError);
  });

  describe('entry deltas', () => {
    const entries = (over: Partial<L2EntryDelta>): L2EntryDelta => ({
      host: 'c1',
      revision: '1-7',
      since: '1-4',
      resync: false,
      delta: 'entries',
      networks: {},
      ipsets: {},
      ...over,
    });

    it('adds and removes flood IPs, FDB entries and set members, leaving the rest', () => {
      const out = applyDelta(
        base,
        entries({
          networks: {
            n1: {
              network_type: 'vxlan',
              segmentation_id: 10,
              flood: { added: ['10.0.0.4'], removed: ['10.0.0.3'] },
              fdb: {
                added: [
                  ['10.0.0.4', 'fa:16:3e:00:00:04', '192.168.0.4'],
                  ['10.0.0.2', 'fa:16:3e:00:00:01', '192.168.0.9'],
                ],
                removed: [['10.0.0.2', 'fa:16:3e:00:00:02', '192.168.0.2']],
              },
            },
            n2: null,
          },
          ipsets: {
            NIPv4sg: { security_group_id: 'sg', ethertype: 'IPv4', members: { added: ['192.168.0.0/24'], removed: ['192.168.0.1'] } },
          },
        }),
      );
      expect(out.revision).toBe('1-7');
      expect(out.networks).toEqual({
        n1: {
          network_type: 'vxlan',
          segmentation_id: 10,
          flood: ['10.0.0.2', '10.0.0.4'],
          fdb: { '10.0.0.2': [['fa:16:3e:00:00:01', '192.168.0.9']], '10.0.0.4': [['fa:16:3e:00:00:04', '192.168.0.4']] },
        },
      });
      expect(out.ipsets.NIPv4sg.members).toEqual(['192.168.0.0/24']);
      expect(out.ports).toBe(base.ports);
      expect(base.networks.n1.flood).toEqual(['10.0.0.2', '10.0.0.3']); // the input is not modified
    });

    it('a full network or set replaces what the copy had; adding what is there or removing what is not changes nothing', () => {
      const out = applyDelta(
        base,
        entries({
          networks: {
            n1: {
              network_type: 'vxlan',
              segmentation_id: 10,
              flood: { added: ['10.0.0.9'], removed: [] },
              fdb: { added: [], removed: [] },
              full: true,
            },
            n2: {
              network_type: 'gre',
              segmentation_id: 20,
              flood: { added: [], removed: ['10.0.0.7'] },
              fdb: { added: [], removed: [['10.0.0.7', 'fa:16:3e:00:00:07', '192.168.0.7']] },
            },
          },
          ipsets: { NIPv4sg: { security_group_id: 'sg', ethertype: 'IPv4', members: { added: ['192.168.0.1'], removed: [] }, full: true } },
        }),
      );
      expect(out.networks.n1).toEqual({ network_type: 'vxlan', segmentation_id: 10, flood: ['10.0.0.9'], fdb: {} });
      expect(out.networks.n2).toEqual(base.networks.n2);
      expect(out.ipsets).toEqual(base.ipsets);
    });

    it('an FDB entry behind a remote outside the flood list is a gap: the agent resyncs', () => {
      const doc = entries({
        networks: {
          n2: {
            network_type: 'gre',
            segmentation_id: 20,
            flood: { added: [], removed: [] },
            fdb: { added: [['10.0.0.5', 'fa:16:3e:00:00:05', '192.168.0.5']], removed: [] },
          },
        },
      });
      expect(() => applyDelta(base, doc)).toThrow(DeltaMismatchError);
    });
  });
});
