export * from './dhcp-network.decider';
