export * from './agent.commands';
export * from './agent.decider';
