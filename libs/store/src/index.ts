export * from './checkpoint-table';
export * from './checkpoints';
export * from './database';
export * from './event-store';
export * from './event-table';
export * from './projection';
export * from './store-projector';
export * from './kafka';
