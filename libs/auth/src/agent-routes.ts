/**
 * The agent-facing API (design.md §5): what Neutron keeps behind its RPC bus. Every such path
 * names the host it acts for, and the policy rule that guards it; the authentication
 * middleware enforces them all in one place, in every process that serves them.
 */
const ROUTES: Array<{ method: string; pattern: RegExp; action: string }> = [
  { method: 'PUT', pattern: /^\/v1\/agents\/[^/]+\/([^/]+)$/, action: 'report_agent' },
  { method: 'POST', pattern: /^\/v1\/hosts\/([^/]+)\/ports\/[^/]+\/(?:up|down)$/, action: 'report_port_status' },
  { method: 'PUT', pattern: /^\/v1\/hosts\/([^/]+)\/routers\/[^/]+\/ha_state$/, action: 'report_ha_state' },
  { method: 'PUT', pattern: /^\/v1\/hosts\/([^/]+)\/ha_states$/, action: 'report_ha_state' },
  { method: 'GET', pattern: /^\/v1\/hosts\/([^/]+)\/l2(?:\/watch)?$/, action: 'get_host_l2' },
  { method: 'GET', pattern: /^\/v1\/hosts\/([^/]+)\/l3(?:\/watch)?$/, action: 'get_host_l3' },
  { method: 'GET', pattern: /^\/v1\/hosts\/([^/]+)\/dhcp(?:\/watch)?$/, action: 'get_host_dhcp' },
  // Anything else under a host (now or later) is for that host's agents too.
  { method: '*', pattern: /^\/v1\/hosts\/([^/]+)(?:\/.*)?$/, action: 'act_for_host' },
];

export function agentRoute(method: string, path: string): { action: string; host: string } | null {
  for (const route of ROUTES) {
    if (route.method !== '*' && route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (!m) continue;
    try {
      return { action: route.action, host: decodeURIComponent(m[1]) };
    } catch {
      return { action: route.action, host: m[1] };
    }
  }
  return null;
}
