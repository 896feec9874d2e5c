import { loadRelaySettings } from './relay-config';

describe('loadRelaySettings', () => {
  it('is off without brokers (embedded mode)', () => {
    expect(loadRelaySettings({})).toBeNull();
  });

  it('reads brokers and defaults', () => {
    expect(loadRelaySettings({ CP_KAFKA_BROKERS: 'k1:9092, k2:9092' })).toEqual({
      brokers: ['k1:9092', 'k2:9092'],
      topic: 'controlplane.events',
      partitions: 12,
      replicationFactor: 1,
      clientId: 'controlplane-api-relay',
      batchSize: 500,
      pollMs: 1000,
    });
  });

  it('rejects a bad value loudly', () => {
    expect(() => loadRelaySettings({ CP_KAFKA_BROKERS: 'k:9092', CP_KAFKA_PARTITIONS: 'twelve' })).toThrow(/CP_KAFKA_PARTITIONS/);
  });
});
