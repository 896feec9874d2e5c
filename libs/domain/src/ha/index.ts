export * from './decide-all';
export * from './ha-network.decider';
export * from './ha-resources';
export * from './ranking';
export * from './router-placement.decider';
