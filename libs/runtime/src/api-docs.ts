import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';

/**
 * The OpenAPI page's tags, one per resource family, in one style: Neutron's
 * resources by their collection names, the agent contract by feed, and the
 * control plane's own (audit, operations).
 */
export const API_TAGS = {
  networks: 'networks',
  subnets: 'subnets',
  ports: 'ports',
  securityGroups: 'security-groups',
  securityGroupRules: 'security-group-rules',
  routers: 'routers',
  floatingIps: 'floatingips',
  quotas: 'quotas',
  tags: 'tags',
  agents: 'agents',
  extensions: 'extensions',
  agentL2: 'agent-l2',
  agentL3: 'agent-l3',
  agentDhcp: 'agent-dhcp',
  agentReports: 'agent-reports',
  audit: 'audit',
  operations: 'operations',
} as const;

export type ApiTag = (typeof API_TAGS)[keyof typeof API_TAGS];

/** Tags a controller or a route with families of API_TAGS only. */
export const Tagged = (...tags: ApiTag[]) => ApiTags(...tags);

/** `GET /v1/hosts/{host}/<feed>`: a host's document, or the changes since a revision, with examples of each. */
export function AgentDocument(
  feed: string,
  examples: { snapshot: object; delta: object; resync?: object; more?: Record<string, { summary: string; value: object }> },
) {
  return applyDecorators(
    ApiOperation({
      summary: `The host's ${feed} document, or what changed since a revision`,
      description:
        "Without `since`: a snapshot of everything the host's agent programs, at `revision`. With `since`: the changes from that revision (an entry given whole, `null` for one removed), or a snapshot marked `resync: true` when no delta can be given (another epoch, an unknown or compacted revision): the agent then replaces its copy.",
    }),
    ApiParam({ name: 'host', description: 'the host the agent runs on (its `host` in agent registration)' }),
    ApiQuery({ name: 'since', required: false, description: 'a revision this host was given before' }),
    ApiOkResponse({
      description: 'a snapshot, a delta, or a resync snapshot',
      content: {
        'application/json': {
          examples: {
            snapshot: { summary: 'without since', value: examples.snapshot },
            delta: { summary: 'with since', value: examples.delta },
            ...(examples.resync ? { resync: { summary: 'with a since that cannot be continued', value: examples.resync } } : {}),
            ...examples.more,
          },
        },
      },
    }),
  );
}

/** `GET /v1/hosts/{host}/<feed>/watch`: the same documents as server-sent events. */
export function AgentWatch(feed: string, event: string) {
  return applyDecorators(
    ApiOperation({
      summary: `The host's ${feed} changes as server-sent events`,
      description: `Each message is \`event: ${event}\` with a change document (as the document endpoint with \`since\`) and \`id:\` its revision; first the changes since \`Last-Event-ID\` (a reconnecting client) or \`since\`, then each change as it commits. Keep-alive comments keep idle proxies from cutting it.`,
    }),
    ApiParam({ name: 'host' }),
    ApiQuery({ name: 'since', required: false }),
    ApiOkResponse({
      description: 'a stream of change documents',
      content: {
        'text/event-stream': {
          schema: { type: 'string' },
          example: `event: ${event}\nid: 3-44\ndata: {"host":"compute-1","revision":"3-44","since":"3-42","resync":false, ...}\n\n: keep-alive\n\n`,
        },
      },
    }),
  );
}
