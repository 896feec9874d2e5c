import type { CommandContext, DomainEvent } from '@cp/events';
import { bindingsOf, HA_DEFAULT_PRIORITY, type UnscheduleReason } from '@cp/domain';
import { isConflictError, type EventStore } from '@cp/store';
import type { L3Config } from '../config';
import { haNetworkIds, haPortId, pickHaVni } from '../ids';
import type { SchedulerFacts } from './facts';
import type { HaNetworks } from './ha-networks';
import type { Placements } from './placements';
import { planRouter } from './plan';

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

export type Outcome = 'appended' | 'unchanged' | 'already-decided';

export interface ReconcilerDeps {
  store: EventStore;
  facts: SchedulerFacts;
  placements: Placements;
  networks: HaNetworks;
  config: L3Config;
  actor: string;
  clock: () => string;
  maxAttempts?: number;
}

/**
 * Brings one router's recorded decisions in line with the facts, for one trigger:
 * load (cached) streams, plan, append with the versions the plan was made on. A
 * ConcurrencyError means another writer got there first: re-read and plan again,
 * which usually finds the decision already made and does nothing.
 */
export class Reconciler {
  conflicts = 0;

  constructor(private readonly deps: ReconcilerDeps) {}

  async reconcile(routerId: string, trigger: DomainEvent, fill: boolean): Promise<Outcome> {
    const { store, facts, placements, networks, config } = this.deps;
    const position = trigger.metadata.position ?? 0;
    for (let attempt = 0; ; attempt++) {
      const router = facts.routers.get(routerId);
      const placement = await placements.get(routerId);
      const projectId = router?.projectId ?? placement.state.projectId;
      if (!projectId) return 'unchanged';
      const nets = await networks.ofProject(projectId);
      // Replay never re-decides: decisions caused at or after this trigger already
      // account for everything the scheduler knew here (DESIGN.md 4, "recorded as events").
      const caused = Math.max(placement.causePos, ...nets.map((n) => n.causePos.get(routerId) ?? 0));
      if (caused >= position) return 'already-decided';

      const appends = planRouter({
        routerId,
        projectId,
        wantHa: !!router && router.ha && !router.deleted,
        deleted: !router || router.deleted,
        fill,
        placement,
        networks: nets,
        candidates: facts.usableAgents().map((a) => ({ agentId: a.id, host: a.host, load: placements.load(a.id) })),
        evacuate: this.evacuations(bindingsOf(placement.state).map((b) => b.agentId)),
        limits: { max: config.maxL3AgentsPerRouter, min: config.minL3AgentsPerRouter, priority: HA_DEFAULT_PRIORITY },
        newNetwork: (index) => {
          const ids = haNetworkIds(projectId, index);
          return { ...ids, segmentationId: pickHaVni(ids.networkId, config.haVniRange, facts.haVnis, attempt), mtu: config.haNetworkMtu };
        },
        newPortId: (agentId) => haPortId(routerId, agentId, placement.version),
      });
      if (appends.length === 0) return 'unchanged';

      const ctx: CommandContext = {
        projectId,
        actor: this.deps.actor,
        requestId: trigger.metadata.requestId,
        causationId: trigger.metadata.eventId,
        now: this.deps.clock(),
        isAdmin: true,
      };
      try {
        const stored = await store.transaction((tx) => store.append(appends, ctx, tx));
        placements.applyOwn(routerId, stored, position);
        networks.applyOwn(projectId, stored, position);
        for (const e of stored) if (e.type === 'NetworkCreated' && e.data.segmentationId !== null) facts.addVni(e.data.segmentationId);
        return 'appended';
      } catch (err) {
        if (!isConflictError(err)) throw err;
        if (attempt + 1 >= (this.deps.maxAttempts ?? 25)) throw new ReconcileGaveUp(routerId, err as Error);
        this.conflicts++;
        await placements.reload(routerId);
        await networks.refresh(projectId);
        // Two instances in lockstep would collide again at once; a short random pause parts them.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
      }
    }
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
