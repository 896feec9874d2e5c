import { DEFAULT_L3_CONFIG, l3Config, l3ConfigFromEnv } from './config';
import { haVniCandidates, nameUuid } from './ids';

describe('L3 scheduler configuration', () => {
  it('defaults to Neutron defaults', () => {
    expect(l3Config()).toEqual(DEFAULT_L3_CONFIG);
    expect(DEFAULT_L3_CONFIG).toMatchObject({
      maxL3AgentsPerRouter: 3,
      minL3AgentsPerRouter: 2,
      agentDownTime: 75,
      allowAutomaticL3agentFailover: true,
    });
  });

  it('reads CP_* variables', () => {
    expect(
      l3ConfigFromEnv({
        CP_MAX_L3_AGENTS_PER_ROUTER: '4',
        CP_MIN_L3_AGENTS_PER_ROUTER: '3',
        CP_AGENT_DOWN_TIME: '5',
        CP_ALLOW_AUTOMATIC_L3AGENT_FAILOVER: 'false',
        CP_L3_HA_VNI_RANGE: '100000:100009',
      }),
    ).toMatchObject({
      maxL3AgentsPerRouter: 4,
      minL3AgentsPerRouter: 3,
      agentDownTime: 5,
      allowAutomaticL3agentFailover: false,
      haVniRange: [100000, 100009],
    });
  });

  it('refuses settings Neutron refuses: min below 2, max below min', () => {
    expect(() => l3Config({ minL3AgentsPerRouter: 1 })).toThrow(/invalid L3 scheduler configuration/);
    expect(() => l3Config({ maxL3AgentsPerRouter: 2, minL3AgentsPerRouter: 3 })).toThrow(/at least min_l3_agents_per_router/);
    expect(() => l3ConfigFromEnv({ CP_ALLOW_AUTOMATIC_L3AGENT_FAILOVER: 'maybe' })).toThrow(/true or false/);
  });
});

describe('scheduler ids', () => {
  it('derives the same UUID-shaped id from the same name, a different one otherwise', () => {
    expect(nameUuid('ha-network', 'p1', 0)).toBe(nameUuid('ha-network', 'p1', 0));
    expect(nameUuid('ha-network', 'p1', 0)).not.toBe(nameUuid('ha-network', 'p1', 1));
    expect(nameUuid('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("orders the HA VNIs of the range from the network id's hash, each once, the same on every instance", () => {
    const range = [100, 104] as const;
    const order = [...haVniCandidates('n1', range)];
    expect([...order].sort()).toEqual([100, 101, 102, 103, 104]);
    expect([...haVniCandidates('n1', range)]).toEqual(order);
    expect(order.slice(1)).toEqual([...order.slice(1)].map((v, i) => ((order[0] - 100 + i + 1) % 5) + 100));
  });
});
