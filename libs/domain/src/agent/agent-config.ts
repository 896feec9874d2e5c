import ipaddr from 'ipaddr.js';
import { badRequest, type Rejection } from '../decider';
import type { AgentConfig } from './agent.commands';

/** Neutron's InvalidInput wording. */
const invalidInput = (msg: string) => badRequest(`Invalid input for operation: ${msg}.`, 'InvalidInput');

/**
 * A report must name its agent and, if it gives a tunnel IP, a real address:
 * every L2 population flood list is built from these.
 */
export function checkReport(r: { agentType: string; host: string; tunnelIp: string | null; now: string }): Rejection | null {
  if (!r.agentType.trim()) return invalidInput("'agent_type' must not be empty");
  if (!r.host.trim()) return invalidInput("'host' must not be empty");
  if (r.tunnelIp !== null && !isIpAddress(r.tunnelIp)) {
    return invalidInput(`'${r.tunnelIp}' is not a valid IP address (tunnel_ip)`);
  }
  if (Number.isNaN(Date.parse(r.now))) return invalidInput(`'${r.now}' is not a valid time`);
  return null;
}

function isIpAddress(s: string): boolean {
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return true;
  // A zone id (fe80::1%eth0) is local to the sending host and useless to its peers.
  return !s.includes('%') && ipaddr.IPv6.isValid(s);
}

export function pickConfig(c: AgentConfig): AgentConfig {
  const { binary, topic, tunnelIp, availabilityZone, configurations } = c;
  return { binary, topic, tunnelIp, availabilityZone, configurations };
}

/** Compared as canonical JSON, so key order in `configurations` does not make a change. */
export function sameConfig(a: AgentConfig, b: AgentConfig): boolean {
  return canonical(pickConfig(a)) === canonical(pickConfig(b));
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
