export { actorOf, AGENT_USER_PREFIX, agentHostOf, isAdmin, withImpliedRoles, type Caller } from './caller';
export { agentRoute } from './agent-routes';
export {
  Authentication,
  authOf,
  isLoopback,
  type AuthConfig,
  type Refusal,
  type RequestAuth,
  type RequestHead,
  type RequestWithCaller,
} from './authentication';
export { IdentityUnavailable, KeystoneAuth, Unauthenticated, type KeystoneSettings } from './keystone';
export { callerFromHeaders } from './noauth';
export { DEFAULT_RULES } from './policy/defaults';
export { Policy, PolicyNotAuthorized } from './policy/policy';
export { parseRule, PolicySyntaxError, type Target } from './policy/rule';
