import type { DhcpNetworkDoc } from '../contract/dhcp-documents';
import { dnsmasqFiles } from './dnsmasq-files';

const v4 = {
  id: 's4',
  ip_version: 4 as const,
  cidr: '10.1.0.0/26',
  gateway_ip: null,
  dns_nameservers: [],
  host_routes: [],
  ipv6_address_mode: null,
  ipv6_ra_mode: null,
};
const stateful = {
  ...v4,
  id: 's6',
  ip_version: 6 as const,
  cidr: 'fd00:1::/64',
  ipv6_address_mode: 'dhcpv6-stateful',
  ipv6_ra_mode: 'dhcpv6-stateful',
};
const slaac = {
  ...stateful,
  id: 'sl',
  cidr: 'fd00:2::/64',
  ipv6_address_mode: 'slaac',
  ipv6_ra_mode: 'slaac',
  dns_nameservers: ['fd00::53'],
};
const entry = (ip: string, subnet_id: string, opts: DhcpNetworkDoc['hosts'][number]['extra_dhcp_opts'] = []) => ({
  port_id: 'p1',
  mac_address: 'fa:16:3e:00:00:01',
  ip_address: ip,
  subnet_id,
  hostname: `host-${ip.replace(/[.:]/g, '-')}`,
  extra_dhcp_opts: opts,
});
const doc: DhcpNetworkDoc = {
  agent_id: 'a1',
  mtu: null,
  admin_state_up: true,
  lease_duration: -1,
  dns_domain: 'example.org',
  port: null,
  subnets: [v4, stateful, slaac],
  hosts: [
    entry('10.1.0.5', 's4', [{ opt_name: '150', opt_value: '198.18.0.9', ip_version: 4 }]),
    entry('fd00:1::5', 's6', [{ opt_name: 'dns-server', opt_value: '[fd00::53]', ip_version: 6 }]),
    entry('fd00:2::f816:3eff:fe00:1', 'sl'),
  ],
};

describe('dnsmasq files of one network', () => {
  const files = dnsmasqFiles('n1', doc, '/var/lib/dhcp/n1');

  it('one static range per subnet, stateless for SLAAC, with an infinite lease', () => {
    expect(files['dnsmasq.conf'].split('\n')).toEqual(
      expect.arrayContaining([
        'domain=example.org',
        'dhcp-hostsfile=/var/lib/dhcp/n1/hosts',
        'dhcp-optsfile=/var/lib/dhcp/n1/opts',
        'dhcp-range=set:subnet-s4,10.1.0.0,static,255.255.255.192,infinite',
        'dhcp-range=set:subnet-s6,fd00:1::,static,64,infinite',
        'dhcp-range=set:subnet-sl,fd00:2::,ra-stateless,64,infinite',
      ]),
    );
  });

  it('host lines for IPv4 and DHCPv6-stateful addresses only, IPv6 in brackets, tagged when the port has options', () => {
    expect(files.hosts).toBe(
      'fa:16:3e:00:00:01,set:port-p1,host-10-1-0-5.example.org,10.1.0.5\n' +
        'fa:16:3e:00:00:01,set:port-p1,host-fd00-1--5.example.org,[fd00:1::5]\n',
    );
  });

  it('no gateway is an empty router option; numeric options stay numbers; IPv6 options are option6', () => {
    expect(files.opts.split('\n').filter(Boolean)).toEqual([
      'tag:subnet-s4,option:router',
      'tag:subnet-sl,option6:dns-server,[fd00::53]',
      'tag:port-p1,150,198.18.0.9',
      'tag:port-p1,option6:dns-server,[fd00::53]',
    ]);
  });
});
