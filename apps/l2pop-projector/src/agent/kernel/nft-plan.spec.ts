import type { L2Snapshot, SecurityGroupRuleView } from '../../contract/l2-documents';
import { nftPlan, nftRuleMatch } from './nft-plan';

const rule = (over: Partial<SecurityGroupRuleView>): SecurityGroupRuleView => ({
  id: 'r',
  direction: 'ingress',
  ethertype: 'IPv4',
  protocol: null,
  port_range_min: null,
  port_range_max: null,
  remote_ip_prefix: null,
  remote_group_id: null,
  ...over,
});

const view = (members: string[]): L2Snapshot => ({
  host: 'h1',
  revision: '1-1',
  networks: {},
  ipsets: { NIPv4jump: { security_group_id: 'jump', ethertype: 'IPv4', members } },
  ports: {
    'p1bbbbbbbbb-rest': {
      network_id: 'aaaaaaaa-1111',
      network_type: 'vxlan',
      segmentation_id: 1,
      mac_address: 'fa:16:3e:00:00:01',
      fixed_ips: ['10.0.0.1'],
      allowed_address_pairs: [],
      security_groups: ['ssh'],
      port_security_enabled: true,
      device_owner: 'compute:nova',
    },
  },
  security_groups: { ssh: [rule({ protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_group_id: 'jump' })] },
});

describe('nftPlan', () => {
  it('first writes the whole table in one transaction: sets with members, chains entered by address on the bridge', () => {
    const plan = nftPlan(view(['10.0.0.5']), new Map(), null);
    expect(plan.rewritten).toBe(true);
    const script = plan.script.join('\n');
    expect(script).toContain('table inet cp_sg {}\ndelete table inet cp_sg\ntable inet cp_sg {');
    expect(script).toContain('set NIPv4jump { type ipv4_addr; flags interval; auto-merge; elements = { 10.0.0.5 } }');
    expect(script).toContain('oifname "brqaaaaaaaa-11" ip daddr { 10.0.0.1 } jump cpi-p1bbbbbbbbb');
    expect(script).toContain('iifname "brqaaaaaaaa-11" ether saddr fa:16:3e:00:00:01 jump cpo-p1bbbbbbbbb');
    expect(script).toContain('meta nfproto ipv4 ip saddr @NIPv4jump tcp dport 22 return');
    expect(script).toContain('ip saddr { 10.0.0.1 } goto cps-p1bbbbbbbbb');
  });

  it('then a member change is element changes only', () => {
    const first = nftPlan(view(['10.0.0.5']), new Map(), null);
    const next = nftPlan(view(['10.0.0.6']), first.sets, first.rules);
    expect(next).toMatchObject({
      rewritten: false,
      script: ['delete element inet cp_sg NIPv4jump { 10.0.0.5 }', 'add element inet cp_sg NIPv4jump { 10.0.0.6 }'],
    });
  });
});

describe('nftRuleMatch', () => {
  const v = view([]);
  it('restricts each rule to its family and translates protocols and prefixes', () => {
    expect(nftRuleMatch(v, rule({ protocol: 'udp', port_range_min: 53, port_range_max: 54 }))).toBe('meta nfproto ipv4 udp dport 53-54');
    expect(nftRuleMatch(v, rule({ protocol: 'icmp', port_range_min: 8, port_range_max: 0 }))).toBe(
      'meta nfproto ipv4 icmp type 8 icmp code 0',
    );
    expect(nftRuleMatch(v, rule({ ethertype: 'IPv6', direction: 'egress', remote_ip_prefix: '2001:db8::/32' }))).toBe(
      'meta nfproto ipv6 ip6 daddr 2001:db8::/32',
    );
    expect(nftRuleMatch(v, rule({ protocol: 'tcp' }))).toBe('meta nfproto ipv4 meta l4proto tcp');
    expect(nftRuleMatch(v, rule({ remote_group_id: 'other' }))).toBeNull();
  });
});
