export * from './network.decider';
