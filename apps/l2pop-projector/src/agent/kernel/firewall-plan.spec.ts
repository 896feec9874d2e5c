import type { L2Snapshot, SecurityGroupRuleView } from '../../contract/l2-documents';
import { desiredIpsets, firewallRules, planIpsets, ruleMatch } from './firewall-plan';
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

const view = (members: string[], portSecurity = true): L2Snapshot => ({
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
      allowed_address_pairs: ['10.9.0.0/24'],
      security_groups: ['ssh'],
      port_security_enabled: portSecurity,
      device_owner: 'compute:nova',
    },
  },
  security_groups: {
    ssh: [
      rule({ id: 'r1', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_group_id: 'jump' }),
      rule({ id: 'r2', direction: 'egress' }),
      rule({ id: 'r3', ethertype: 'IPv6', direction: 'egress' }),
    ],
  },
});

describe('firewallRules', () => {
  it('default-deny ingress with established allowed, rules through the remote group set, egress only from its own addresses', () => {
    const text = firewallRules(view(['10.0.0.5']), 4, []);
    expect(text.split('\n')).toEqual([
      '*filter',
      ':cp-sg - [0:0]',
      ':cpi-p1bbbbbbbbb - [0:0]',
      ':cpo-p1bbbbbbbbb - [0:0]',
      ':cps-p1bbbbbbbbb - [0:0]',
      '-A cp-sg -m physdev --physdev-out tapp1bbbbbbbbb --physdev-is-bridged -j cpi-p1bbbbbbbbb',
      '-A cp-sg -m physdev --physdev-in tapp1bbbbbbbbb --physdev-is-bridged -j cpo-p1bbbbbbbbb',
      '-A cpi-p1bbbbbbbbb -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      '-A cpi-p1bbbbbbbbb -m conntrack --ctstate INVALID -j DROP',
      '-A cpi-p1bbbbbbbbb -m set --match-set NIPv4jump src -p tcp -m tcp --dport 22 -j RETURN',
      '-A cpi-p1bbbbbbbbb -j DROP',
      '-A cpo-p1bbbbbbbbb -s 10.0.0.1 -m mac --mac-source fa:16:3e:00:00:01 -g cps-p1bbbbbbbbb',
      '-A cpo-p1bbbbbbbbb -s 10.9.0.0/24 -m mac --mac-source fa:16:3e:00:00:01 -g cps-p1bbbbbbbbb',
      '-A cpo-p1bbbbbbbbb -j DROP',
      '-A cps-p1bbbbbbbbb -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
      '-A cps-p1bbbbbbbbb -j RETURN',
      '-A cps-p1bbbbbbbbb -j DROP',
      'COMMIT',
      '',
    ]);
  });

  it('a member change changes the set, not the rules', () => {
    expect(firewallRules(view(['10.0.0.5', '10.0.0.6']), 4, [])).toBe(firewallRules(view(['10.0.0.5']), 4, []));
    const now = new Map([['NIPv4jump', new Set(['10.0.0.5'])]]);
    expect(planIpsets(now, desiredIpsets(view(['10.0.0.6'])))).toEqual({
      update: ['del NIPv4jump 10.0.0.5 -exist', 'add NIPv4jump 10.0.0.6 -exist'],
      destroy: [],
    });
    expect(planIpsets(new Map(), desiredIpsets(view([]))).update).toEqual(['create NIPv4jump hash:net family inet -exist']);
    expect(planIpsets(now, new Map()).destroy).toEqual(['destroy NIPv4jump']);
  });

  it('filters nothing of a port without port security, and removes the chains of ports gone', () => {
    const text = firewallRules(view([], false), 4, ['cpi-gone', 'cpo-gone']);
    expect(text).not.toContain('p1bbbbbbbbb');
    expect(text).toContain(':cpi-gone - [0:0]');
    expect(text).toContain('-X cpi-gone');
  });
});

describe('ruleMatch', () => {
  const v = view([]);
  it('translates protocols, port ranges, ICMP type and code, and remote prefixes', () => {
    expect(ruleMatch(v, rule({ protocol: 'udp', port_range_min: 53, port_range_max: 54 }))).toBe('-p udp -m udp --dport 53:54');
    expect(ruleMatch(v, rule({ protocol: 'icmp', port_range_min: 8, port_range_max: 0 }))).toBe('-p icmp --icmp-type 8/0');
    expect(ruleMatch(v, rule({ protocol: 'icmp' }))).toBe('-p icmp');
    expect(ruleMatch(v, rule({ ethertype: 'IPv6', protocol: 'ipv6-icmp', port_range_min: 128 }))).toBe('-p ipv6-icmp --icmpv6-type 128');
    expect(ruleMatch(v, rule({ direction: 'egress', remote_ip_prefix: '192.0.2.0/24', protocol: '47' }))).toBe('-d 192.0.2.0/24 -p 47');
  });

  it('matches nothing yet when the remote group set is not in the view', () => {
    expect(ruleMatch(v, rule({ remote_group_id: 'other' }))).toBeNull();
  });
});

// The same groups where the kernel has no ipset (nft-plan.ts).
describe('nftPlan', () => {
  it('first writes the whole table in one transaction: sets with members, chains entered by address on the bridge', () => {
    const plan = nftPlan(view(['10.0.0.5']), new Map(), null);
    expect(plan.rewritten).toBe(true);
    const script = plan.script.join('\n');
    expect(script).toContain('table inet cp_sg {}\ndelete table inet cp_sg\ntable inet cp_sg {');
    expect(script).toContain('set NIPv4jump { type ipv4_addr; flags interval; auto-merge; elements = { 10.0.0.5 } }');
    expect(script).toContain('oifname "brqaaaaaaaa-11" ip daddr { 10.0.0.1, 10.9.0.0/24 } jump cpi-p1bbbbbbbbb');
    expect(script).toContain('iifname "brqaaaaaaaa-11" ether saddr fa:16:3e:00:00:01 jump cpo-p1bbbbbbbbb');
    expect(script).toContain('meta nfproto ipv4 ip saddr @NIPv4jump tcp dport 22 return');
    expect(script).toContain('ip saddr { 10.0.0.1, 10.9.0.0/24 } goto cps-p1bbbbbbbbb');
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
