import type { DomainEvent, EventOfType } from '@cp/events';
import { AGENT_EVENTS, applyAgentEvent } from './handlers/agents';
import { NETWORK_EVENTS, applyNetworkEvent } from './handlers/networks';
import { PORT_EVENTS, applyPortEvent } from './handlers/ports';
import { ROUTER_EVENTS, applyRouterEvent } from './handlers/routers';
import { SECURITY_GROUP_EVENTS, applySecurityGroupEvent } from './handlers/security-groups';
import type { Batch } from './batch';

/** The events this read model declares; everything else never reaches it. */
export const HANDLED_EVENTS = [...NETWORK_EVENTS, ...PORT_EVENTS, ...AGENT_EVENTS, ...SECURITY_GROUP_EVENTS, ...ROUTER_EVENTS] as const;
type Handled = (typeof HANDLED_EVENTS)[number];

const is = <K extends Handled>(types: readonly K[], e: DomainEvent): e is EventOfType<K> => (types as readonly string[]).includes(e.type);

/** Updates the normalised facts for one event and names the derived keys it may have changed. */
export async function applyFacts(b: Batch, event: DomainEvent): Promise<void> {
  if (is(PORT_EVENTS, event)) return applyPortEvent(b, event);
  if (is(NETWORK_EVENTS, event)) return applyNetworkEvent(b, event);
  if (is(AGENT_EVENTS, event)) return applyAgentEvent(b, event);
  if (is(SECURITY_GROUP_EVENTS, event)) return applySecurityGroupEvent(b, event);
  if (is(ROUTER_EVENTS, event)) return applyRouterEvent(b, event);
}
