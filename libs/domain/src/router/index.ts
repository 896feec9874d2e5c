export * from './router.commands';
export * from './router.decider';
export type { ActiveRouter, RouterEvent, RouterGateway, RouterInterface, RouterState } from './router.state';
