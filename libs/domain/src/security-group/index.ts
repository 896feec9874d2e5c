export * from './security-group.commands';
export * from './security-group.decider';
export { normaliseRule, parsePrefix, ruleKey } from './rule-validation';
