/**
 * The process kit every app uses (`@cp/runtime`): settings read from the
 * environment, pino logs, Prometheus metrics, health and readiness, graceful
 * shutdown, and the wiring of a read model fed from Kafka.
 */
export * from './api-docs';
export * from './config-file';
export * from './health';
export * from './http-input';
export * from './http-server';
export * from './kafka-read-model';
export * from './kafka-security';
export * from './logger';
export * from './metrics';
export * from './neutron-error';
export * from './neutron-exception.filter';
export * from './process-ops';
export * from './projector-settings';
export * from './retrying';
export * from './run-process';
export * from './settings';
export * from './settings-catalogue';
export * from './shutdown';
export * from './time-travel';
export * from './repo-root';
