import { kafkaSecurityFromEnv } from './kafka-security';
import { loadOpsConfig } from './settings';
import { loadProjectorSettings } from './projector-settings';

describe('projector process settings', () => {
  it('is not distributed without brokers, and defaults the port per process', () => {
    expect(loadProjectorSettings('l2pop', 9697, {})).toMatchObject({
      port: 9697,
      kafka: null,
      readModelUrl: undefined,
      watchPollMs: 5_000,
      watchNotify: true,
      l2HotRows: 500_000,
    });
  });

  it('reads the group, topic and read model, with per-process defaults', () => {
    const s = loadProjectorSettings('l3', 9698, {
      CP_KAFKA_BROKERS: 'k1:9092, k2:9092',
      CP_READ_MODEL_URL: 'postgresql://db/cp',
      CP_APPLIED_LOG: 'yes',
      CP_PORT: '0',
    });
    expect(s).toMatchObject({ port: 0, readModelUrl: 'postgresql://db/cp', readModelSchema: 'controlplane_read' });
    expect(s.kafka).toMatchObject({
      brokers: ['k1:9092', 'k2:9092'],
      topic: 'controlplane.events',
      groupId: 'controlplane.l3',
      clientId: 'controlplane-l3',
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      chunkSize: 500,
      appliedLog: true,
      kafka: {},
    });
  });

  it('rejects a bad value with its name', () => {
    expect(() => loadProjectorSettings('l2pop', 9697, { CP_READ_MODEL_SCHEMA: 'x; drop' })).toThrow(/CP_READ_MODEL_SCHEMA/);
    expect(() => loadProjectorSettings('l2pop', 9697, { CP_APPLIED_LOG: 'maybe' })).toThrow(/CP_APPLIED_LOG/);
    expect(() => loadProjectorSettings('l2pop', 9697, { CP_L2_HOT_ROWS: '0' })).toThrow(/CP_L2_HOT_ROWS/);
    expect(() => loadOpsConfig({ CP_LOG_LEVEL: 'loud' })).toThrow(/CP_LOG_LEVEL/);
  });

  it('turns on TLS and SASL for a real cluster', () => {
    expect(kafkaSecurityFromEnv({})).toEqual({});
    expect(
      kafkaSecurityFromEnv({
        CP_KAFKA_SSL: 'true',
        CP_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        CP_KAFKA_SASL_USERNAME: 'cp',
        CP_KAFKA_SASL_PASSWORD: 's',
      }),
    ).toEqual({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'cp', password: 's' },
    });
    expect(() => kafkaSecurityFromEnv({ CP_KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/USERNAME/);
  });
});
