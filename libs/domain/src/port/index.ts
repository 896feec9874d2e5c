export * from './port.decider';
export * from './port.create';
export * from './port.update';
export * from './fixed-ips';
export * from './port-security';
export * from './allocator';
export * from './extra-dhcp-opts';
