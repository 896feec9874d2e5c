export * from './relay-config';
export * from './start-relay';
