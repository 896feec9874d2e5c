import { Logger } from '@nestjs/common';
import type { CommandContext, DomainEvent } from '@cp/events';
import { routerPlacementDecider, VRID_MAX, type UnscheduleReason } from '@cp/domain';
import { RetriesExhausted, routerHaStream, type WriteSide } from '@cp/write-model';
import type { L3Config } from '../config';
import type { SchedulerFacts } from './facts';
import type { HaNetworks } from './ha-networks';
import type { Placements } from './placements';
import { HaNetworkUnavailable, reconcileRouter } from './reconcile-router';

/** Conflicts kept coming back for one router; the scheduler moves on and says so. */
export class ReconcileGaveUp extends Error {
  override name = 'ReconcileGaveUp';
  constructor(
    readonly routerId: string,
    readonly last: Error,
  ) {
    super(`gave up scheduling router ${routerId} after repeated conflicts: ${last.message}`);
  }
}

/** `held`: the router could not be placed and now waits with the reason (its HA network cannot be made). */
export type Outcome = 'appended' | 'unchanged' | 'already-decided' | 'held';

export interface ReconcilerDeps {
  writeSide: WriteSide;
  facts: SchedulerFacts;
  placements: Placements;
  networks: HaNetworks;
  config: L3Config;
  actor: string;
  clock: () => string;
}

/**
 * Brings one router's recorded decisions in line with the facts, for one trigger.
 * The decision itself is a command on the write side's one command path
 * (reconcile-router.ts); what stays here is the scheduler's own memory: whether
 * this trigger was already decided (by this or another instance, or before a
 * restart), and the caches of placements and HA networks its next decisions rank
 * agents and find routers with.
 */
export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  async reconcile(routerId: string, trigger: DomainEvent, fill: boolean): Promise<Outcome> {
    const { facts, placements, networks, config } = this.deps;
    const position = trigger.metadata.position ?? 0;
    const router = facts.routers.get(routerId);
    const placement = await placements.get(routerId);
    const projectId = router?.projectId ?? placement.state.projectId;
    if (!projectId) return 'unchanged';
    const nets = await networks.ofProject(projectId);
    // Replay never re-decides: decisions caused at or after this trigger already
    // account for everything the scheduler knew here (design.md §4, "recorded as events").
    const caused = Math.max(placement.causePos, ...nets.map((n) => n.causePos.get(routerId) ?? 0));
    if (caused >= position) return 'already-decided';

    const ctx: CommandContext = {
      projectId,
      actor: this.deps.actor,
      requestId: trigger.metadata.requestId,
      causationId: trigger.metadata.eventId,
      now: this.deps.clock(),
      isAdmin: true,
    };
    let stored: DomainEvent[];
    try {
      ({ events: stored } = await this.deps.writeSide.runner.run(ctx, (uow) =>
        reconcileRouter(uow, {
          routerId,
          projectId,
          mode: !router || router.deleted ? 'deleted' : router.ha ? 'ha' : 'legacy',
          fill,
          candidates: facts.usableAgents().map((a) => ({ agentId: a.id, host: a.host, load: placements.load(a.id) })),
          evacuations: (agentIds) => this.evacuations(agentIds),
          config,
          segments: this.deps.writeSide.segments,
        }),
      ));
    } catch (err) {
      if (err instanceof RetriesExhausted) throw new ReconcileGaveUp(routerId, err);
      if (!(err instanceof HaNetworkUnavailable)) throw err;
      // One project's broken HA network must not stop the scheduler: this router waits, saying why.
      ({ events: stored } = await this.deps.writeSide.runner.run(ctx, (uow) =>
        uow.decide(routerPlacementDecider, routerHaStream(routerId), {
          type: 'HoldPending',
          data: { routerId, projectId, reason: err.message },
        }),
      ));
      logDecisions(stored, trigger);
      await placements.applyOwn(routerId, stored, position);
      return 'held';
    }
    if (stored.length === 0) return 'unchanged';
    logDecisions(stored, trigger);
    await placements.applyOwn(routerId, stored, position);
    await networks.applyOwn(projectId, stored, position);
    return 'appended';
  }

  /** Bound agents that must give the router up: deleted ones always, dead ones if failover is on. */
  private evacuations(agentIds: readonly string[]): Map<string, UnscheduleReason> {
    const out = new Map<string, UnscheduleReason>();
    for (const id of agentIds) {
      const a = this.deps.facts.agents.get(id);
      if (!a) continue;
      if (a.deleted) out.set(id, 'agent_deleted');
      else if (!a.alive && this.deps.config.allowAutomaticL3agentFailover) out.set(id, 'agent_dead');
    }
    return out;
  }
}

const log = new Logger('L3Scheduler');

/** One line per placement decision an operator acts on: scheduled, moved off an agent (with why), pending (with why). */
function logDecisions(stored: readonly DomainEvent[], trigger: DomainEvent): void {
  for (const e of stored) {
    if (e.type === 'RouterScheduledToAgent') log.log(`router ${e.data.routerId} scheduled to ${e.data.host} (after ${trigger.type})`);
    if (e.type === 'RouterUnscheduledFromAgent') log.log(`router ${e.data.routerId} removed from ${e.data.host}: ${e.data.reason}`);
    if (e.type === 'RouterSchedulingPending') log.warn(`router ${e.data.routerId} pending: ${e.data.reason}`);
    if (e.type === 'HaNetworkCreated')
      log.log(
        e.data.index === 0
          ? `HA network "${e.data.name}" (${e.data.networkId}) created for project ${e.data.projectId}`
          : `HA networks of project ${e.data.projectId} exhausted (${VRID_MAX} VRIDs each): HA network "${e.data.name}" (${e.data.networkId}) opened`,
      );
    // VRIDs go lowest first, so the last one taken means the network is full.
    if (e.type === 'VridAllocated' && e.data.vrid === VRID_MAX)
      log.warn(
        `HA network ${e.data.haNetworkId} of project ${e.data.projectId} exhausted: all ${VRID_MAX} VRIDs used; the next HA router opens another`,
      );
  }
}
