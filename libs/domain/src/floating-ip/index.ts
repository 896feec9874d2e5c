export * from './floating-ip.decider';
