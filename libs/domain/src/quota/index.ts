export * from './quota.decider';
