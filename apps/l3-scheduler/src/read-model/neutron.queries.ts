import { cmp, type Database } from '@cp/store';
import { activeOf } from './router-docs';

interface AgentRow {
  id: string;
  host: string;
  agent_type: string;
  agent_binary: string;
  topic: string;
  availability_zone: string | null;
  configurations: string;
  admin_state_up: number;
  alive: number;
  created_at: string;
  started_at: string | null;
  heartbeat_at: string | null;
}

/** Neutron prints agent times as `YYYY-MM-DD HH:MM:SS` (UTC, no zone). */
export const neutronTime = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/(\.\d+)?(Z|[+-]\d\d:\d\d)$/, '') : null);

function agentDict(a: AgentRow) {
  return {
    id: a.id,
    agent_type: a.agent_type,
    binary: a.agent_binary,
    topic: a.topic,
    host: a.host,
    admin_state_up: Number(a.admin_state_up) === 1,
    created_at: neutronTime(a.created_at),
    started_at: neutronTime(a.started_at),
    heartbeat_timestamp: neutronTime(a.heartbeat_at),
    alive: Number(a.alive) === 1,
    configurations: JSON.parse(a.configurations) as Record<string, unknown>,
    description: null,
    availability_zone: a.availability_zone,
    resources_synced: null,
  };
}

/** The read model as Neutron's l3_agent_scheduler extension shows it. */
export class NeutronL3Queries {
  constructor(readonly db: Database) {}

  /** `GET /v2.0/routers/{id}/l3-agents`: null when the router is unknown. */
  async l3AgentsOfRouter(routerId: string) {
    const router = await this.db.get('SELECT id FROM l3_routers WHERE id = ?', [routerId]);
    if (!router) return null;
    const rows = await this.db.all<AgentRow & { b_agent_id: string; b_host: string; state: string; ha_port_id: string | null }>(
      `SELECT a.*, b.agent_id AS b_agent_id, b.host AS b_host, b.state, b.ha_port_id FROM l3_bindings b
       LEFT JOIN l3_agents a ON a.id = b.agent_id WHERE b.router_id = ?`,
      [routerId],
    );
    return rows
      .sort((x, y) => cmp(x.b_host, y.b_host))
      .map((r) => ({
        ...(r.id ? agentDict(r) : { id: r.b_agent_id, host: r.b_host, agent_type: 'L3 agent', alive: false }),
        // Neutron shows keepalived's state for HA routers only.
        ha_state: r.ha_port_id === null ? null : r.state,
      }));
  }

  /** `GET /v2.0/agents/{id}/l3-routers`: null when no such L3 agent. */
  async routersOfAgent(agentId: string) {
    const agent = await this.db.get('SELECT id FROM l3_agents WHERE id = ?', [agentId]);
    if (!agent) return null;
    const rows = await this.db.all<{
      id: string;
      project_id: string;
      name: string;
      description: string;
      admin_state_up: number;
      ha: number;
      network_id: string | null;
      enable_snat: number | null;
      external_fixed_ips: string | null;
    }>(
      `SELECT r.*, g.network_id, g.enable_snat, g.external_fixed_ips FROM l3_bindings b
       JOIN l3_routers r ON r.id = b.router_id LEFT JOIN l3_router_gateways g ON g.router_id = r.id WHERE b.agent_id = ?`,
      [agentId],
    );
    return rows
      .sort((x, y) => cmp(x.id, y.id))
      .map((r) => ({
        id: r.id,
        name: r.name,
        description: r.description,
        tenant_id: r.project_id,
        project_id: r.project_id,
        admin_state_up: Number(r.admin_state_up) === 1,
        status: 'ACTIVE',
        ha: Number(r.ha) === 1,
        distributed: false,
        external_gateway_info: r.network_id
          ? {
              network_id: r.network_id,
              enable_snat: Number(r.enable_snat) === 1,
              external_fixed_ips: (JSON.parse(r.external_fixed_ips ?? '[]') as Array<{ subnetId: string; ipAddress: string }>).map(
                (ip) => ({
                  subnet_id: ip.subnetId,
                  ip_address: ip.ipAddress,
                }),
              ),
            }
          : null,
        routes: [],
        availability_zone_hints: [],
        availability_zones: [],
        flavor_id: null,
      }));
  }

  /** The HA picture of one router (`GET /v1/routers/{id}/ha`): VRID, bindings, pending reason, split-brain. */
  async routerHa(routerId: string) {
    const router = await this.db.get<{ project_id: string; ha: number }>('SELECT project_id, ha FROM l3_routers WHERE id = ?', [routerId]);
    if (!router) return null;
    const vrid = await this.db.get<{ ha_network_id: string; vrid: number }>(
      'SELECT ha_network_id, vrid FROM l3_vrids WHERE router_id = ?',
      [routerId],
    );
    const pending = await this.db.get<{ reason: string }>('SELECT reason FROM l3_pending WHERE router_id = ?', [routerId]);
    const bindings = await this.db.all<{
      agent_id: string;
      host: string;
      priority: number;
      state: string;
      state_pos: number | string;
      ha_port_id: string | null;
    }>('SELECT agent_id, host, priority, state, state_pos, ha_port_id FROM l3_bindings WHERE router_id = ?', [routerId]);
    const { activeHost, splitBrain } = activeOf(bindings as Parameters<typeof activeOf>[0]);
    return {
      id: routerId,
      project_id: router.project_id,
      ha: Number(router.ha) === 1,
      ha_network_id: vrid?.ha_network_id ?? null,
      vrid: vrid ? Number(vrid.vrid) : null,
      status: pending ? 'pending' : bindings.length > 0 ? 'scheduled' : 'unscheduled',
      pending_reason: pending?.reason ?? null,
      agents: bindings
        .sort((a, b) => cmp(a.host, b.host))
        .map((b) => ({
          agent_id: b.agent_id,
          host: b.host,
          priority: Number(b.priority),
          ha_state: b.ha_port_id === null ? null : b.state,
          ha_port_id: b.ha_port_id,
        })),
      active_host: activeHost,
      split_brain: splitBrain,
    };
  }
}
