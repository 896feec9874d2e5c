import { z } from 'zod';
import { neutronBool } from '../platform/validate-body';

/** The agent's own report, `PUT /v1/agents/{agent_type}/{host}` (not wrapped in a resource key). */
export const agentReportInput = z.strictObject({
  tunnel_ip: z.string().max(64).nullable().optional(),
  availability_zone: z.string().max(255).nullable().optional(),
  configurations: z.record(z.string(), z.unknown()).optional(),
  binary: z.string().min(1).max(255).optional(),
  topic: z.string().min(1).max(255).optional(),
});
export type AgentReportInput = z.infer<typeof agentReportInput>;

export const updateAgentInput = z.strictObject({
  admin_state_up: neutronBool.optional(),
  // Neutron's string_or_none: null clears it.
  description: z
    .string()
    .max(255)
    .nullable()
    .transform((d) => d ?? '')
    .optional(),
});
export type UpdateAgentInput = z.infer<typeof updateAgentInput>;

/** What Neutron's own agents report as binary and topic, for reports that leave them out. */
const KNOWN_AGENTS: Record<string, { binary: string; topic: string }> = {
  'Open vSwitch agent': { binary: 'neutron-openvswitch-agent', topic: 'N/A' },
  'Linux bridge agent': { binary: 'neutron-linuxbridge-agent', topic: 'N/A' },
  'L3 agent': { binary: 'neutron-l3-agent', topic: 'l3_agent' },
  'DHCP agent': { binary: 'neutron-dhcp-agent', topic: 'dhcp_agent' },
  'Metadata agent': { binary: 'neutron-metadata-agent', topic: 'N/A' },
};

export function agentDefaults(agentType: string): { binary: string; topic: string } {
  return KNOWN_AGENTS[agentType] ?? { binary: `neutron-${agentType.trim().toLowerCase().replace(/\s+/g, '-')}`, topic: 'N/A' };
}
