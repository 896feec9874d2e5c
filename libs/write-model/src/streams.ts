/**
 * Stream ids, `<category>:<id>`. The category is what the audit API calls the
 * resource type (EventStore's resourceOf), so these names are part of the
 * stored history: never rename one.
 */
export const networkStream = (id: string) => `network:${id}`;
export const subnetStream = (id: string) => `subnet:${id}`;
export const portStream = (id: string) => `port:${id}`;
export const securityGroupStream = (id: string) => `security-group:${id}`;
export const routerStream = (id: string) => `router:${id}`;
export const floatingIpStream = (id: string) => `floatingip:${id}`;
/** Where one network's DHCP service runs: its DHCP agents and their DHCP ports. */
export const dhcpNetworkStream = (networkId: string) => `dhcp-network:${networkId}`;
export const agentStream = (agentType: string, host: string) => `agent:${agentType}@${host}`;
/** One HA network of a project: its VRIDs. */
export const haNetworkStream = (id: string) => `ha-network:${id}`;
/** Where one HA router runs: the scheduler's placement decisions and the agents' HA state reports. */
export const routerHaStream = (routerId: string) => `router-ha:${routerId}`;
/** One project's quota limits (the overrides an admin set). */
export const quotaStream = (projectId: string) => `quota:${projectId}`;
