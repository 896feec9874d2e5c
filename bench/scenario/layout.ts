import { defaultSecurityGroupId } from '../../apps/api/src/security-groups/default-group';
import { Rng, uuidOf } from './rng';

/**
 * The shape of a cloud, before any event: hosts, projects with their networks
 * and groups, HA routers. Network sizes are skewed (a few large, many small) and
 * drawn from one fixed distribution, so clouds of different host counts have
 * the same per-network layout: only the number of networks grows with them.
 */
export interface ScenarioParams {
  seed: number;
  /** Compute hosts (L2 agents). */
  hosts: number;
  /** Tenant networks. */
  networks: number;
  /** Hosts that also run an L3 agent (HA routers live there). */
  networkNodes: number;
  networksPerProject: number;
  /** Share of projects with an HA router on all their networks. */
  routerRatio: number;
  /** A network's ports sit on at most this many hosts (tenants' VMs cluster). */
  maxSpan: number;
}

export const DEFAULT_PARAMS: ScenarioParams = {
  seed: 42,
  hosts: 100,
  networks: 50,
  networkNodes: 6,
  networksPerProject: 3,
  routerRatio: 0.5,
  maxSpan: 48,
};

export interface HostSpec {
  name: string;
  tunnelIp: string;
  l3: boolean;
}
export interface NetworkSpec {
  index: number;
  id: string;
  subnetId: string;
  project: number;
  vni: number;
  cidr: string;
  /** First usable address as an integer; ports take the next ones in order. */
  firstIp: number;
  /** Addresses in the block (headroom for ports the scenarios add later). */
  capacity: number;
  /** Ports the network holds after the setup. */
  size: number;
  /** Host indices its ports are spread over. */
  span: number[];
}
export interface ProjectSpec {
  index: number;
  id: string;
  defaultSg: string;
  webSg: string;
  dbSg: string;
  networks: number[];
  router: string | null;
}
export interface Layout {
  params: ScenarioParams;
  hosts: HostSpec[];
  networks: NetworkSpec[];
  projects: ProjectSpec[];
  totalPorts: number;
}

export const KIND = { network: 1, subnet: 2, port: 3, sg: 4, rule: 5, router: 6, agent: 7, project: 8, ha: 9 } as const;

/** 85% small (1-6 ports), 12% medium (8-40), 3% large (80-400): mean about 12. */
export function networkSize(rng: Rng): number {
  const r = rng.next();
  if (r < 0.85) return rng.range(1, 6);
  if (r < 0.97) return rng.range(8, 40);
  return rng.range(80, 400);
}

export const ipToString = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const pow2AtLeast = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(2, n)));

export function buildLayout(params: ScenarioParams): Layout {
  const rng = new Rng(params.seed);
  const hosts: HostSpec[] = [];
  for (let i = 0; i < params.hosts; i++) {
    // 172.16.0.0/12 holds a million tunnel endpoints.
    hosts.push({ name: `compute-${String(i).padStart(5, '0')}`, tunnelIp: ipToString(((172 << 24) | (16 << 16)) + 1 + i), l3: false });
  }
  for (let i = 0; i < params.networkNodes; i++) {
    hosts.push({ name: `network-${String(i).padStart(3, '0')}`, tunnelIp: ipToString(((192 << 24) | (168 << 16)) + 1 + i), l3: true });
  }
  const projects: ProjectSpec[] = [];
  const networks: NetworkSpec[] = [];
  let nextBlock = 10 << 24; // 10.0.0.0/8, carved into aligned blocks per network
  let totalPorts = 0;
  for (let n = 0; n < params.networks; n++) {
    const p = Math.floor(n / params.networksPerProject);
    if (!projects[p]) {
      const id = uuidOf(KIND.project, p).replace(/-/g, '');
      projects[p] = {
        // The default group gets the id the API derives for the project, so API calls find and reuse it.
        index: p,
        id,
        defaultSg: defaultSecurityGroupId(id),
        webSg: uuidOf(KIND.sg, 3 * p + 1),
        dbSg: uuidOf(KIND.sg, 3 * p + 2),
        networks: [],
        router: rng.chance(params.routerRatio) ? uuidOf(KIND.router, p) : null,
      };
    }
    const size = networkSize(rng);
    // Room for twice the setup's ports (benchmarks add some), at least a /24.
    const capacity = Math.max(256, pow2AtLeast(size * 2 + 64));
    nextBlock = Math.ceil(nextBlock / capacity) * capacity;
    if (nextBlock + capacity > 11 << 24) throw new Error(`${params.networks} networks do not fit in 10.0.0.0/8`);
    const spanCount = Math.min(size, params.maxSpan, params.hosts);
    const span = rng.sample(params.hosts, spanCount);
    networks.push({
      index: n,
      id: uuidOf(KIND.network, n),
      subnetId: uuidOf(KIND.subnet, n),
      project: p,
      vni: 1 + (n % 65535),
      cidr: `${ipToString(nextBlock)}/${32 - Math.log2(capacity)}`,
      firstIp: nextBlock + 2,
      capacity,
      size,
      span,
    });
    projects[p].networks.push(n);
    nextBlock += capacity;
    totalPorts += size;
  }
  return { params, hosts, networks, projects, totalPorts };
}

/** Networks weighted by size: new ports land where ports already are, as in a real cloud. */
export function sizeWeightedPicker(layout: Layout, rng: Rng): () => NetworkSpec {
  const cumulative: number[] = [];
  let sum = 0;
  for (const n of layout.networks) cumulative.push((sum += n.size));
  return () => {
    const x = rng.next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return layout.networks[lo];
  };
}
