/**
 * The domain's public entry (`@cp/domain`): pure deciders and the rules they
 * share. Nothing here reads a clock, a random source or the environment.
 */
export * from './decider';
export * from './agent';
export * from './dhcp';
export * from './floating-ip';
export * from './ha';
export * from './ipam';
export * from './network';
export * from './port';
export * from './quota';
export * from './router';
export * from './security-group';
export * from './subnet';
export * from './tags';
