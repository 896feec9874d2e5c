import { z } from 'zod';
import type { EventRelay } from '@cp/store';
import { AgentProxyModule } from './agent-proxy/agent-proxy.module';
import { startAgentLivenessMonitor } from './agents/liveness-monitor';
import type { Settings } from './config';
import type { Running } from './embedded/start-embedded';
import { createHttpApp } from './http-app';
import { kafkaSecurityFromEnv, type ProcessOps, parseEnv, retrying } from '@cp/runtime';
import { loadRelaySettings, startRelay } from './relay';
import { eventStoreConfig, openWriteSide } from '@cp/write-model';

const proxySchema = z.object({
  CP_L2POP_URL: z.url().optional(),
  CP_L3_URL: z.url().optional(),
  CP_DHCP_URL: z.url().optional(),
  CP_PROXY_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
});

/** Where the API forwards agent-facing paths in distributed mode. */
export function loadProxySettings(env: NodeJS.ProcessEnv = process.env) {
  return parseEnv(proxySchema, env);
}

/**
 * Distributed mode (design.md §3): this process is one of any number of API
 * instances writing to the PostgreSQL event store. No projector runs here; the
 * relay publishes the store to Kafka when CP_KAFKA_BROKERS is set (run it in one
 * or two instances: each extra relay only sends duplicates, which consumers drop);
 * agent-facing reads are forwarded to the projector processes when their URLs are
 * set (or routed there by the load balancer).
 */
export async function startDistributed(
  settings: Settings,
  ops: ProcessOps,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Running & { relay: EventRelay | null }> {
  const proxy = loadProxySettings(env);
  const relaySettings = loadRelaySettings(env);
  const log = ops.child('startup');
  // PostgreSQL may still be starting (a whole cluster brought up at once): retry rather than crash-loop.
  const ws = await retrying(() => openWriteSide(eventStoreConfig(settings)), { what: 'the event store', log });
  const monitor = startAgentLivenessMonitor(ws, settings);
  const relay = relaySettings
    ? await startRelay(ws, { ...relaySettings, kafka: kafkaSecurityFromEnv(env), logger: ops.child('relay'), registry: ops.registry })
    : null;

  ops.readiness.add({
    name: 'event-store',
    critical: true,
    run: async () => ({ ok: true, detail: { head: await ws.store.headPosition() } }),
  });
  if (relay) {
    // Informational: with Kafka down the API still accepts writes (they are durable); the relay catches up.
    ops.readiness.add({
      name: 'relay',
      critical: false,
      run: async () => {
        const lag = (await ws.store.headPosition()) - relay.position;
        return { ok: lag <= 10_000, detail: { published: relay.position, lag, topic: relay.topic } };
      },
    });
  }

  const app = await createHttpApp(
    ws,
    settings,
    [
      ...ops.modules(),
      AgentProxyModule.forRoot({
        l2Url: proxy.CP_L2POP_URL,
        l3Url: proxy.CP_L3_URL,
        dhcpUrl: proxy.CP_DHCP_URL,
        timeoutMs: proxy.CP_PROXY_TIMEOUT_MS,
      }),
    ],
    ops.nestLogger,
    ops.auth,
  );
  ops.attach(app);
  await app.listen(settings.port, settings.host);
  const address = app.getHttpServer().address() as { port: number };
  return {
    port: address.port,
    ws,
    relay,
    app,
    async close() {
      await app.close();
      await monitor.stop();
      await relay?.stop();
      await ws.db.close();
    },
  };
}
