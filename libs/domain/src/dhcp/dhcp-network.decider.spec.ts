import { spec } from '../testing/given-when-then';
import { dhcpNetworkDecider, type DhcpNetworkCommand } from './dhcp-network.decider';

const agent = (host: string, load = 0) => ({ agentId: `id-${host}`, host, load });
const schedule = (candidates: ReturnType<typeof agent>[], agentsPerNetwork = 1): DhcpNetworkCommand => ({
  type: 'ScheduleNetwork',
  data: {
    networkId: 'n1',
    projectId: 'p1',
    candidates,
    agentsPerNetwork,
  },
});
const scheduled = (host: string) => ({
  type: 'NetworkScheduledToDhcpAgent' as const,
  data: { networkId: 'n1', projectId: 'p1', agentId: `id-${host}`, host },
});
const { given } = spec(dhcpNetworkDecider);

describe('DHCP network decider', () => {
  it('places the network on dhcp_agents_per_network agents, least loaded first, ties by host', () => {
    given([])
      .when(schedule([agent('c', 2), agent('b', 1), agent('a', 1)]))
      .thenEvents([scheduled('a')]);
    given([])
      .when(schedule([agent('c', 2), agent('b', 1), agent('a', 1)], 2))
      .thenEvents([scheduled('a'), scheduled('b')]);
  });

  it('adds nothing while it has enough agents, and never the same agent twice', () => {
    given([scheduled('a')])
      .when(schedule([agent('a'), agent('b')]))
      .thenEvents([]);
    given([scheduled('a')])
      .when(schedule([agent('a')], 2))
      .thenEvents([]);
    given([scheduled('a')])
      .when(schedule([agent('a'), agent('b')], 2))
      .thenEvents([scheduled('b')]);
  });

  it('takes the network off the named agents only, once', () => {
    const off = {
      type: 'UnscheduleNetwork' as const,
      data: { networkId: 'n1', projectId: 'p1', agentIds: ['id-a'], reason: 'agent_dead' as const },
    };
    given([scheduled('a'), scheduled('b')])
      .when(off)
      .thenEvents([
        {
          type: 'NetworkUnscheduledFromDhcpAgent',
          data: { networkId: 'n1', projectId: 'p1', agentId: 'id-a', host: 'a', reason: 'agent_dead' },
        },
      ]);
    expect(given([scheduled('a'), scheduled('b')]).when(off).result).toHaveLength(1);
    given([scheduled('b')])
      .when(off)
      .thenEvents([]);
  });
});
