export * from './subnet.decider';
export * from './subnet.update';
export * from './subnet.validation';
