import { Controller, Get, NotFoundException, Param, Req } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { API_TAGS, Tagged, type HttpRequest } from '@cp/runtime';

/** Extensions this API implements; clients (openstacksdk) check these before using attributes. */
const EXTENSIONS = [
  ['agent', 'agent'],
  ['allowed-address-pairs', 'Allowed Address Pairs'],
  ['binding', 'Port Binding'],
  ['dhcp_agent_scheduler', 'DHCP Agent Scheduler'],
  ['external-net', 'Neutron external network'],
  ['extra_dhcp_opt', 'Neutron Extra DHCP options'],
  ['filter-validation', 'Filter parameters validation'],
  ['fip-port-details', 'Floating IP Port Details Extension'],
  ['ip-substring-filtering', 'IP address substring filtering'],
  ['ext-gw-mode', 'Neutron L3 Configurable external gateway mode'],
  ['l3-ha', 'HA Router extension'],
  ['l3_agent_scheduler', 'L3 Agent Scheduler'],
  ['net-mtu', 'Network MTU'],
  ['net-mtu-writable', 'Network MTU (writable)'],
  ['pagination', 'Pagination support'],
  ['port-security', 'Port Security'],
  ['project-id', 'project_id field enabled'],
  ['provider', 'Provider Network'],
  ['quotas', 'Quota management support'],
  ['quota_details', 'Quota details management support'],
  ['quota-check-limit', 'Quota engine limit check'],
  ['revision-if-match', 'If-Match constraints based on revision_number'],
  ['router', 'Neutron L3 Router'],
  ['security-group', 'security-group'],
  ['sorting', 'Sorting support'],
  ['stateful-security-group', 'Stateful security group'],
  ['standard-attr-description', 'standard-attr-description'],
  ['standard-attr-revisions', 'Resource revision numbers'],
  [
    'standard-attr-tag',
    'Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip',
  ],
  ['tag', 'Tag support'],
  ['tag-ext', 'Tag support for resources: subnet, subnetpool, port, router'],
  ['standard-attr-timestamp', 'Resource timestamps'],
] as const;

@Tagged(API_TAGS.extensions)
@Controller()
export class DiscoveryController {
  @Get()
  @ApiOperation({ summary: 'API versions (v2.0)' })
  versions(@Req() req: HttpRequest) {
    const base = `${req.protocol}://${req.headers.host}`;
    return { versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${base}/v2.0/`, rel: 'self' }] }] };
  }

  @Get('v2.0')
  @ApiOperation({ summary: 'The v2.0 resource collections' })
  resources(@Req() req: HttpRequest) {
    const base = `${req.protocol}://${req.headers.host}/v2.0`;
    const names = ['network', 'subnet', 'port', 'router', 'floatingip', 'security_group', 'security_group_rule', 'agent', 'quota'];
    return {
      resources: names.map((n) => ({
        name: n,
        collection: `${n}s`.replace(/_/g, '-'),
        links: [{ href: `${base}/${n.replace(/_/g, '-')}s`, rel: 'self' }],
      })),
    };
  }

  @Get('v2.0/extensions')
  @ApiOperation({ summary: 'Extensions this API implements (clients check them before using attributes)' })
  extensions() {
    return {
      extensions: EXTENSIONS.map(([alias, name]) => ({ alias, name, description: name, updated: '2026-01-01T00:00:00-00:00', links: [] })),
    };
  }

  @Get('v2.0/extensions/:alias')
  @ApiOperation({ summary: 'One extension; 404 when it is not implemented' })
  extension(@Param('alias') alias: string) {
    const found = EXTENSIONS.find(([a]) => a === alias);
    // Clients probe for optional extensions and expect a 404 when one is absent.
    if (!found) throw new NotFoundException(`Extension with alias ${alias} does not exist`);
    return { extension: { alias, name: found[1], description: found[1], updated: '2026-01-01T00:00:00-00:00', links: [] } };
  }
}
