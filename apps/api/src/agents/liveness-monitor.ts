import { agentStream } from '@cp/write-model';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { agentDecider } from '@cp/domain';
import type { CommandContext } from '@cp/events';
import type { Settings } from '../config';
import {
  RejectionError,
  type WriteSide,
  AgentHeartbeats,
  DEFAULT_DHCP_POLICY,
  DHCP_AGENT_TYPE,
  evacuateDhcpAgent,
  type DhcpPolicy,
  type Heartbeat,
} from '@cp/write-model';

/**
 * Turns missing heartbeats into AgentDead events (revival is the heartbeat's own
 * AgentAlive). Safe with several instances at once, e.g. one per API process: the
 * decider appends AgentDead only for an alive agent and optimistic concurrency
 * lets one of two monitors win.
 */
export class AgentLivenessMonitor {
  private readonly logger = new Logger('AgentLiveness');
  private readonly heartbeats: AgentHeartbeats;
  /** Heartbeats already acted on, so a long-dead agent costs no transaction per tick. */
  private readonly handled = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly ws: WriteSide,
    private readonly opts: { downTimeSeconds: number; projectId: string; dhcp?: DhcpPolicy; intervalMs?: number },
  ) {
    this.heartbeats = new AgentHeartbeats(ws.db);
  }

  /** Neutron checks at a fraction of agent_down_time; capped so a long down time still notices deaths promptly. */
  get intervalMs(): number {
    return this.opts.intervalMs ?? Math.min((this.opts.downTimeSeconds * 1000) / 3, 10_000);
  }

  start(): this {
    if (this.timer) return this;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Stops the timer and waits for a check under way, so the database can be closed after. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** One check; overlapping calls share the one under way. */
  tick(now = Date.now()): Promise<void> {
    this.inFlight ??= this.check(now).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async check(now: number): Promise<void> {
    const cutoff = new Date(now - this.opts.downTimeSeconds * 1000).toISOString();
    let stale: Heartbeat[];
    try {
      stale = await this.heartbeats.olderThan(cutoff);
    } catch (err) {
      return this.report(err); // the next tick retries
    }
    for (const hb of stale) {
      const key = `${hb.agent_type}@${hb.host}`;
      if (this.handled.get(key) === hb.last_heartbeat_at) continue;
      try {
        await this.markDead(hb, cutoff, new Date(now).toISOString());
        this.handled.set(key, hb.last_heartbeat_at);
      } catch (err) {
        this.report(err); // left unhandled, so the next tick retries this agent
      }
    }
  }

  /** A failed check must not take the process down. */
  private report(err: unknown): void {
    this.logger.error(`liveness check failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }

  private async markDead(hb: Heartbeat, cutoff: string, now: string): Promise<void> {
    const ctx: CommandContext = {
      projectId: this.opts.projectId,
      actor: 'agent-liveness-monitor',
      requestId: `req-${randomUUID()}`,
      causationId: null,
      now,
      isAdmin: true,
    };
    try {
      const { events: stored } = await this.ws.runner.run(ctx, async (uow) => {
        // Re-read in the transaction: a heartbeat that arrived since the scan keeps the agent alive.
        const current = await this.heartbeats.get(hb.agent_type, hb.host, uow.tx);
        if (!current || current.last_heartbeat_at >= cutoff) return;
        const events = await uow.decide(agentDecider, agentStream(hb.agent_type, hb.host), {
          type: 'MarkAgentDead',
          data: { agentType: hb.agent_type, host: hb.host, lastHeartbeatAt: current.last_heartbeat_at },
        });
        // A dead DHCP agent's networks move in the same command (HA routers move in the L3 scheduler, which follows the event).
        if (hb.agent_type === DHCP_AGENT_TYPE && events.length > 0)
          await evacuateDhcpAgent(uow, current.agent_id, 'agent_dead', this.opts.dhcp ?? DEFAULT_DHCP_POLICY);
      });
      for (const e of stored) {
        if (e.type === 'AgentDead')
          this.logger.warn(`agent dead: ${e.data.agentType} on ${e.data.host} (${e.data.id}), last heartbeat ${e.data.lastHeartbeatAt}`);
      }
    } catch (err) {
      // An agent deleted meanwhile is simply not there to die.
      if (!(err instanceof RejectionError)) throw err;
    }
  }
}

/** Started by the API process (apps/api/src/embedded.ts); stop it before closing the write side. */
export function startAgentLivenessMonitor(ws: WriteSide, settings: Settings): AgentLivenessMonitor {
  return new AgentLivenessMonitor(ws, {
    downTimeSeconds: settings.agentDownTimeSeconds,
    projectId: settings.defaultProjectId,
    dhcp: settings.dhcp,
  }).start();
}
