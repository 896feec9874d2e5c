export * from './config';
export * from './contract/dhcp-documents';
export * from './http/dhcp-projector.module';
export { DhcpProjection } from './read-model/dhcp.projection';
export { DHCP_TABLES, DHCP_TABLE_NAMES } from './read-model/dhcp.tables';
export { hostnameOf } from './read-model/network-docs';
export * from './runtime';
export { ReferenceDhcpAgent, type DhcpAgentOptions } from './agent/dhcp-agent';
export { dnsmasqFiles } from './agent/dnsmasq-files';
