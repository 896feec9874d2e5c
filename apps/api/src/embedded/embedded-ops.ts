import type { INestApplication } from '@nestjs/common';
import { L2popRuntime, registerL2Metrics } from '../../../l2pop-projector/src';
import { L3Runtime, registerL3Metrics } from '../../../l3-scheduler/src';
import { DhcpRuntime } from '../../../dhcp-projector/src';
import type { AppExtras } from './start-embedded';
import { WRITE_SIDE, type WriteSide } from '@cp/write-model';
import { feedMetrics, storeProjectorMetrics, type ProcessOps } from '@cp/runtime';

/** A runner tailing the event store in this process: a projector or the scheduler. */
interface Tail {
  kind: 'projector' | 'scheduler';
  name: string;
  runner: { readonly checkpoint: number };
}

function optional<T>(app: INestApplication, token: abstract new (...args: never[]) => T): T | null {
  try {
    return app.get(token, { strict: false });
  } catch {
    return null; // not wired into this app
  }
}

/**
 * Operations for embedded mode: the same endpoints and logs as distributed mode;
 * readiness and lag compare each in-process runner's checkpoint with the store's head.
 */
export function embeddedExtras(ops: ProcessOps, maxLag: number): AppExtras {
  return {
    modules: ops.modules(),
    logger: ops.nestLogger,
    auth: ops.auth,
    attach(app) {
      ops.attach(app);
      const ws = app.get<WriteSide>(WRITE_SIDE, { strict: false });
      const head = () => ws.store.headPosition();
      const l2 = optional(app, L2popRuntime);
      const l3 = optional(app, L3Runtime);
      const dhcp = optional(app, DhcpRuntime);
      const tails: Tail[] = [];
      if (l2?.projector) tails.push({ kind: 'projector', name: l2.projection.name, runner: l2.projector });
      if (l3?.projector) tails.push({ kind: 'projector', name: l3.projection.name, runner: l3.projector });
      if (dhcp?.projector) tails.push({ kind: 'projector', name: dhcp.projection.name, runner: dhcp.projector });
      if (l3?.scheduler) tails.push({ kind: 'scheduler', name: l3.scheduler.name, runner: l3.scheduler });
      ops.readiness.add({ name: 'event-store', critical: true, run: async () => ({ ok: true, detail: { head: await head() } }) });
      if (l2) registerL2Metrics(ops.registry, l2.projection.hot);
      if (l3) registerL3Metrics(ops.registry, l3.options.db);
      feedMetrics(ops.registry, {
        ...(l2 ? { l2: l2.feed } : {}),
        ...(l3 ? { l3: l3.feed } : {}),
        ...(dhcp ? { dhcp: dhcp.feed } : {}),
      });
      for (const t of tails) {
        storeProjectorMetrics(ops.registry, t.runner, t.name, head, ws.store);
        ops.readiness.add({
          name: `${t.kind}:${t.name}`,
          critical: true,
          run: async () => {
            const position = t.runner.checkpoint;
            const lag = Math.max(0, (await head()) - position);
            return { ok: lag <= maxLag, detail: { position, lag, maxLag } };
          },
        });
      }
    },
  };
}
