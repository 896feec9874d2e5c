export * from './tags.decider';
