import { readEvent, InvalidStoredEventError } from './read-event';
import { upcast } from './upcasters';

const metadata = {
  eventId: '6f1c3c1e-1b7a-4c39-9d5e-3f1f0f5d2a10',
  schemaVersion: 1,
  streamId: 'agent:L3 agent@network-1',
  streamVersion: 1,
  position: 7,
  projectId: 'admin',
  actor: 'noauth-admin',
  requestId: 'req-1',
  causationId: null,
  occurredAt: '2026-11-24T08:00:00.000Z',
};
const data = { id: 'a1', agentType: 'L3 agent', host: 'network-1', heartbeatAt: '2026-11-24T08:00:00.000Z' };

describe('readEvent', () => {
  it('returns a valid stored event as the latest shape', () => {
    expect(readEvent({ type: 'AgentAlive', data, metadata })).toEqual({ type: 'AgentAlive', data, metadata });
  });

  it('refuses an unknown event type', () => {
    expect(() => readEvent({ type: 'PortTeleported', data, metadata })).toThrow(/unknown event type 'PortTeleported'/);
  });

  it('refuses data that does not match the schema, naming the stream', () => {
    expect(() => readEvent({ type: 'AgentAlive', data: { ...data, host: 42 }, metadata })).toThrow(InvalidStoredEventError);
    expect(() => readEvent({ type: 'AgentAlive', data: { ...data, host: 42 }, metadata })).toThrow(/agent:L3 agent@network-1@1/);
  });

  it('refuses bad metadata', () => {
    expect(() => readEvent({ type: 'AgentAlive', data, metadata: { ...metadata, eventId: 'nope' } })).toThrow(/bad metadata/);
  });

  it('refuses an event written by a newer build', () => {
    expect(() => readEvent({ type: 'AgentAlive', data, metadata: { ...metadata, schemaVersion: 2 } })).toThrow(/newer than this build/);
  });
});

describe('upcast', () => {
  // A registry of the shape real upcasters take: each step lifts one version.
  const registry = {
    'Thing@1': (d: Record<string, unknown>) => ({ ...d, tunnelIp: d.tunnel_ip ?? null, tunnel_ip: undefined }),
    'Thing@2': (d: Record<string, unknown>) => ({ ...d, zone: d.zone ?? 'nova' }),
  };

  it('applies every step from the stored version to the latest', () => {
    expect(upcast('Thing', 1, 3, { tunnel_ip: '192.0.2.1' }, registry)).toEqual({
      tunnelIp: '192.0.2.1',
      tunnel_ip: undefined,
      zone: 'nova',
    });
    expect(upcast('Thing', 2, 3, { tunnelIp: '192.0.2.1' }, registry)).toEqual({ tunnelIp: '192.0.2.1', zone: 'nova' });
    expect(upcast('Thing', 3, 3, { tunnelIp: 'x', zone: 'z' }, registry)).toEqual({ tunnelIp: 'x', zone: 'z' });
  });

  it('fails loudly when a step is missing', () => {
    expect(() => upcast('Other', 1, 2, {}, registry)).toThrow(/no upcaster for Other from schema version 1 to 2/);
  });
});
