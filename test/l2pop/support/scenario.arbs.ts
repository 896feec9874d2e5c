import fc from 'fast-check';

/* The random command sequences of the property test (turned into events by scenario.ts). */
export const HOSTS = ['h0', 'h1', 'h2', 'h3', 'h4'];
export const NETWORK_TYPE_COUNT = 6;
export const OWNER_COUNT = 4;

const ix = fc.nat(1000);
export type Action =
  | { k: 'agent'; host: number; tunnel: number | null; l3: boolean }
  | { k: 'agentDelete'; host: number; l3: boolean }
  | { k: 'network'; type: number }
  | { k: 'networkDelete'; net: number }
  | { k: 'port'; net: number; host: number | null; groups: number[]; ips: number; v6: boolean; pairs: number; owner: number; up: boolean }
  | { k: 'bind' | 'staleUp'; port: number; host: number }
  | { k: 'unbind' | 'up' | 'down' | 'deletePort'; port: number }
  | { k: 'updatePort'; port: number; groups: number[] | null; ips: number | null }
  | { k: 'group' }
  | { k: 'rule'; group: number; remote: number | null; v6: boolean }
  | { k: 'ruleDelete' | 'groupDelete'; item: number }
  | { k: 'router'; ha: boolean }
  | { k: 'iface' | 'schedule' | 'unschedule' | 'ifaceRemove' | 'routerDelete'; router: number; item: number };

const host = fc.nat(HOSTS.length - 1);
export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant('agent' as const), host, tunnel: fc.option(fc.nat(6)), l3: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant('agentDelete' as const), host, l3: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('network' as const), type: fc.nat(NETWORK_TYPE_COUNT - 1) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('networkDelete' as const), net: ix }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constant('port' as const),
      net: ix,
      host: fc.option(host, { freq: 6 }),
      groups: fc.array(ix, { maxLength: 2 }),
      ips: fc.nat(2),
      v6: fc.boolean(),
      pairs: fc.nat(1),
      owner: fc.nat(OWNER_COUNT - 1),
      up: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(false)),
    }),
    weight: 8,
  },
  { arbitrary: fc.record({ k: fc.constantFrom('bind' as const, 'staleUp' as const), port: ix, host }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant('up' as const), port: ix }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constantFrom('unbind' as const, 'down' as const, 'deletePort' as const), port: ix }), weight: 2 },
  {
    arbitrary: fc.record({
      k: fc.constant('updatePort' as const),
      port: ix,
      groups: fc.option(fc.array(ix, { maxLength: 2 })),
      ips: fc.option(fc.nat(2)),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ k: fc.constant('group' as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('rule' as const), group: ix, remote: fc.option(ix), v6: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constantFrom('ruleDelete' as const, 'groupDelete' as const), item: ix }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant('router' as const), ha: fc.boolean() }), weight: 1 },
  {
    arbitrary: fc.record({
      k: fc.constantFrom(
        'iface' as const,
        'schedule' as const,
        'schedule' as const,
        'unschedule' as const,
        'ifaceRemove' as const,
        'routerDelete' as const,
      ),
      router: ix,
      item: ix,
    }),
    weight: 3,
  },
);

/**
 * A run: every host registers an L2 agent (a few without a tunnel IP) and a network or two exist first (in
 * the command order; the interleaving may still deliver them after the ports),
 * then random commands. Without the prelude few ports would ever count.
 */
export const runArb: fc.Arbitrary<Action[]> = fc
  .tuple(
    fc.tuple(
      ...HOSTS.map((_, i) =>
        fc.record({
          k: fc.constant('agent' as const),
          host: fc.constant(i),
          tunnel: fc.option(fc.nat(9), { freq: 8 }),
          l3: fc.constant(false),
        }),
      ),
    ),
    fc.array(fc.record({ k: fc.constant('network' as const), type: fc.nat(NETWORK_TYPE_COUNT - 1) }), { minLength: 1, maxLength: 2 }),
    fc.array(actionArb, { minLength: 20, maxLength: 60, size: 'max' }),
  )
  .map(([agents, networks, rest]) => [...agents, ...networks, ...rest]);
