import { agentStream } from '@cp/write-model';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { agentDecider } from '@cp/domain';
import { SETTINGS, type Settings } from '../config';
import {
  fail,
  type Body,
  WRITE_SIDE,
  type WriteSide,
  AgentHeartbeats,
  AGENT,
  DHCP_AGENT_TYPE,
  evacuateDhcpAgent,
  fillDhcpAgents,
  withLiveness,
} from '@cp/write-model';
import { enforce, may, type RequestContext } from '../platform/request-context';
import { agentDefaults, type AgentReportInput, type UpdateAgentInput } from './agent.input';

const notFound = (id: string) => `Agent ${id} could not be found`;
/** Agents coming and going, one line each (their death is the liveness monitor's line). */
const log = new Logger('Agents');

@Injectable()
export class AgentsService {
  private readonly heartbeats: AgentHeartbeats;

  constructor(
    @Inject(WRITE_SIDE) private readonly ws: WriteSide,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {
    this.heartbeats = new AgentHeartbeats(ws.db);
  }

  /**
   * Register/heartbeat. The decider appends only what changed (registration,
   * configuration, revival); the heartbeat time is written beside the events in
   * the same transaction, so a rejected report records no heartbeat either.
   */
  async report(ctx: RequestContext, agentType: string, host: string, input: AgentReportInput): Promise<Body> {
    const defaults = agentDefaults(agentType);
    const { result: id, events: stored } = await this.ws.runner.run(ctx, async (uow) => {
      const stream = agentStream(agentType, host);
      const events = await uow.decide(agentDecider, stream, {
        type: 'ReportAgentState',
        data: {
          agentType,
          host,
          binary: input.binary ?? defaults.binary,
          topic: input.topic ?? defaults.topic,
          tunnelIp: input.tunnel_ip ?? null,
          availabilityZone: input.availability_zone ?? null,
          configurations: input.configurations ?? {},
          now: ctx.now,
          newAgentId: randomUUID(),
        },
      });
      // UnitOfWork.load is typed for Decider<never, S, never>, which no real decider is.
      const state = await uow.load(agentDecider, stream);
      if (state.status !== 'registered') throw new Error(`agent ${stream} not registered after its report`);
      await this.heartbeats.record(uow.tx, agentType, host, state.agent.id, ctx.now);
      // A DHCP agent that came alive (new or revived) takes the networks short of DHCP agents, in this command.
      if (agentType === DHCP_AGENT_TYPE && events.some((e) => e.type === 'AgentAlive')) await fillDhcpAgents(uow, this.settings.dhcp);
      return state.agent.id;
    });
    if (stored.some((e) => e.type === 'AgentRegistered')) log.log(`agent registered: ${agentType} on ${host} (${id})`);
    else if (stored.some((e) => e.type === 'AgentAlive')) log.log(`agent alive again: ${agentType} on ${host} (${id})`);
    return this.find(id);
  }

  async list(ctx: RequestContext): Promise<Body[]> {
    // get_agent is admin-only in Neutron's policy; others see an empty list.
    const [bodies, beats] = await Promise.all([this.ws.resources.list(AGENT), this.heartbeats.byAgentId()]);
    const now = Date.now();
    return bodies
      .filter((b) => may(ctx, 'get_agent', b))
      .map((b) => withLiveness(b, beats.get(String(b.id)), this.settings.agentDownTimeSeconds, now));
  }

  async show(ctx: RequestContext, id: string): Promise<Body> {
    // A resource the policy hides is a 404, as Neutron answers for it.
    const body = await this.find(id);
    if (!may(ctx, 'get_agent', body)) fail(404, 'AgentNotFound', notFound(id));
    return body;
  }

  async update(ctx: RequestContext, id: string, input: UpdateAgentInput): Promise<Body> {
    const body = await this.show(ctx, id);
    enforce(ctx, 'update_agent', body);
    await this.ws.runner.run(ctx, async (uow) => {
      const key = { id, agentType: String(body.agent_type), host: String(body.host) };
      const stream = agentStream(key.agentType, key.host);
      if (input.admin_state_up !== undefined) {
        const events = await uow.decide(agentDecider, stream, {
          type: 'SetAgentAdminState',
          data: { ...key, adminStateUp: input.admin_state_up },
        });
        // Disabling moves nothing (as Neutron); enabling a DHCP agent lets it take networks short of agents.
        if (key.agentType === DHCP_AGENT_TYPE && input.admin_state_up && events.length > 0) await fillDhcpAgents(uow, this.settings.dhcp);
      }
      if (input.description !== undefined) {
        await uow.decide(agentDecider, stream, { type: 'SetAgentDescription', data: { ...key, description: input.description } });
      }
    });
    return this.find(id);
  }

  async remove(ctx: RequestContext, id: string): Promise<void> {
    const body = await this.show(ctx, id);
    enforce(ctx, 'delete_agent', body);
    const agentType = String(body.agent_type);
    const host = String(body.host);
    await this.ws.runner.run(ctx, async (uow) => {
      await uow.decide(agentDecider, agentStream(agentType, host), { type: 'DeleteAgent', data: { id, agentType, host } });
      if (agentType === DHCP_AGENT_TYPE) await evacuateDhcpAgent(uow, id, 'agent_deleted', this.settings.dhcp);
      // A deleted agent is not monitored; its next report registers it anew.
      await this.heartbeats.forget(uow.tx, agentType, host);
    });
  }

  private async find(id: string): Promise<Body> {
    const body = await this.ws.resources.get(AGENT, id);
    if (!body) fail(404, 'AgentNotFound', notFound(id));
    const hb = await this.heartbeats.get(String(body.agent_type), String(body.host));
    return withLiveness(body, hb?.agent_id === id ? hb : undefined, this.settings.agentDownTimeSeconds, Date.now());
  }
}
