export * from './allocate';
export * from './availability';
export * from './cidr';
export * from './errors';
export * from './eui64';
export * from './ip';
export * from './mac';
export * from './pools';
