export * from './kafka-client';
export * from './group-member';
export * from './kafka-projector';
export * from './partition-applier';
export * from './relay';
export * from './relay-producer';
export * from './tables';
export * from './watermarks';
