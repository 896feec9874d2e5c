/**
 * The command side (`@cp/write-model`): the one path every command takes
 * (load the streams, decide, append with the versions decided on, retry on a
 * conflict), the models kept in the append's transaction (the `resources` rows
 * the API reads, the unique indexes behind cross-aggregate rules) and the port
 * writes that the API and the HA scheduler share.
 */
export * from './agent-heartbeats';
export * from './command-runner';
export * from './indexes/ip-availability';
export * from './indexes/port-allocations';
export * from './indexes/security-group-ports';
export * from './indexes/segment-allocations';
export * from './port-writes';
export * from './rejection';
export * from './router-ports';
export * from './dhcp-scheduling';
export * from './resources/agent.view';
export * from './resources/floating-ip.view';
export * from './resources/dhcp-binding.view';
export * from './resources/network.view';
export * from './resources/port.view';
export * from './resources/quota.view';
export * from './resources/registry';
export * from './resources/resource-mapper';
export * from './resources/resource-store';
export * from './resources/resource.table';
export * from './resources/resources.projection';
export * from './resources/router.view';
export * from './resources/security-group.view';
export * from './resources/subnet.view';
export * from './stream-cache';
export * from './streams';
export * from './write-side';
export * from './resources/resource-history';
