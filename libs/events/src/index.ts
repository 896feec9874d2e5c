export * from './catalogue';
export * from './define-event';
export * from './envelope';
export * from './partition-key';
export * from './read-event';
export * from './upcasters';
