export * from './network.decider';
export * from './physical-networks';
