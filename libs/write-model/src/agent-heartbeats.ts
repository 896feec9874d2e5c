import { EntitySchema } from '@mikro-orm/core';
import type { Database, Tx } from '@cp/store';

/**
 * When each agent last reported. Heartbeats are not events (only registration,
 * configuration changes and alive/dead transitions are), so this table is
 * operational state, not a read model: nothing rebuilds it, and an inline-model
 * rebuild must not truncate it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- row shape is declared by the properties below
export const AgentHeartbeatTable = new EntitySchema<any>({
  name: 'AgentHeartbeatRow',
  tableName: 'agent_heartbeats',
  properties: {
    agentType: { type: 'string', length: 255, fieldName: 'agent_type', primary: true },
    host: { type: 'string', length: 255, primary: true },
    agentId: { type: 'string', length: 64, fieldName: 'agent_id' },
    /** ISO 8601 UTC from Date#toISOString, so text order is time order. */
    lastHeartbeatAt: { type: 'string', length: 40, fieldName: 'last_heartbeat_at' },
  },
  indexes: [
    { properties: ['agentId'], name: 'agent_heartbeats_agent_idx' },
    { properties: ['lastHeartbeatAt'], name: 'agent_heartbeats_last_idx' },
  ],
});

export interface Heartbeat {
  agent_type: string;
  host: string;
  agent_id: string;
  last_heartbeat_at: string;
}

const COLUMNS = 'agent_type, host, agent_id, last_heartbeat_at';

export class AgentHeartbeats {
  constructor(private readonly db: Database) {}

  async record(tx: Tx, agentType: string, host: string, agentId: string, at: string): Promise<void> {
    await this.db.run(
      `INSERT INTO agent_heartbeats (${COLUMNS}) VALUES (?, ?, ?, ?)
       ON CONFLICT (agent_type, host) DO UPDATE SET agent_id = excluded.agent_id, last_heartbeat_at = excluded.last_heartbeat_at`,
      [agentType, host, agentId, at],
      tx,
    );
  }

  async forget(tx: Tx, agentType: string, host: string): Promise<void> {
    await this.db.run('DELETE FROM agent_heartbeats WHERE agent_type = ? AND host = ?', [agentType, host], tx);
  }

  async get(agentType: string, host: string, tx?: Tx): Promise<Heartbeat | undefined> {
    return this.db.get<Heartbeat>(`SELECT ${COLUMNS} FROM agent_heartbeats WHERE agent_type = ? AND host = ?`, [agentType, host], tx);
  }

  async byAgentId(): Promise<Map<string, Heartbeat>> {
    const rows = await this.db.all<Heartbeat>(`SELECT ${COLUMNS} FROM agent_heartbeats`);
    return new Map(rows.map((r) => [r.agent_id, r]));
  }

  /** Agents whose last heartbeat is older than `cutoff` (ISO time). */
  async olderThan(cutoff: string): Promise<Heartbeat[]> {
    return this.db.all<Heartbeat>(`SELECT ${COLUMNS} FROM agent_heartbeats WHERE last_heartbeat_at < ? ORDER BY agent_type, host`, [
      cutoff,
    ]);
  }
}
