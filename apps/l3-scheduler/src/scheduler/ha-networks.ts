import type { DomainEvent } from '@cp/events';
import { haNetworkDecider } from '@cp/domain';
import { haNetworkIds } from '../ids';
import { haNetworkStream } from '@cp/write-model';
import type { NetworkSnapshot } from './plan';
import type { StreamReader } from './stream-reader';

export interface HaNetworkEntry extends NetworkSnapshot {
  version: number;
  /** Per router: latest position among the causes of its VRID events. */
  causePos: Map<string, number>;
}

const VRID_EVENTS = new Set(['VridAllocated', 'VridReleased']);
const PREFIX = haNetworkStream('');

/**
 * Each project's HA networks, folded from their streams. Their ids are derived
 * from (project, index), so finding them is reading `ha-network:<id(p, 0)>`,
 * `<id(p, 1)>`... until one is empty: no index to keep, and a network another
 * instance just created is found the same way.
 */
export class HaNetworks {
  private readonly byProject = new Map<string, HaNetworkEntry[]>();
  private readonly projectOf = new Map<string, string>();

  constructor(private readonly reader: StreamReader) {}

  async ofProject(projectId: string): Promise<HaNetworkEntry[]> {
    return this.byProject.get(projectId) ?? this.refresh(projectId);
  }

  /** Catches up every known network of the project and looks for newer ones. */
  async refresh(projectId: string): Promise<HaNetworkEntry[]> {
    const list = [...(this.byProject.get(projectId) ?? [])];
    for (let index = 0; ; index++) {
      const base = list[index] ?? this.empty(haNetworkIds(projectId, index).networkId, index);
      const events = await this.reader.readAfter(haNetworkStream(base.id), base.version);
      if (base.version === 0 && events.length === 0) break;
      list[index] = await this.fold(base, events);
      this.projectOf.set(base.id, projectId);
    }
    this.byProject.set(projectId, list);
    return list;
  }

  clear(): void {
    this.byProject.clear();
    this.projectOf.clear();
  }

  /**
   * Events this scheduler appended, caused by the trigger at `causePos`. The command
   * read the streams afresh in its transaction: if another writer appended since
   * they were cached here, the project is re-read instead.
   */
  async applyOwn(projectId: string, stored: readonly DomainEvent[], causePos: number): Promise<void> {
    const list = this.byProject.get(projectId);
    if (!list) return;
    for (const e of stored) {
      if (!e.metadata.streamId.startsWith(PREFIX)) continue;
      const id = e.metadata.streamId.slice(PREFIX.length);
      let entry = list.find((n) => n.id === id);
      if (!entry && e.type === 'HaNetworkCreated') {
        list.push((entry = this.empty(id, e.data.index)));
        list.sort((a, b) => a.index - b.index);
        this.projectOf.set(id, projectId);
      }
      if (!entry || e.metadata.streamVersion !== entry.version + 1) return void (await this.refresh(projectId));
      this.step(entry, e, causePos);
    }
  }

  /** An HA network event read on the tail: applied in order, or the project is re-read. */
  async applyTailed(event: DomainEvent): Promise<void> {
    const { streamId, streamVersion } = event.metadata;
    if (!streamId.startsWith(PREFIX)) return;
    const projectId = this.projectOf.get(streamId.slice(PREFIX.length)) ?? event.metadata.projectId;
    const list = this.byProject.get(projectId);
    if (!list) return; // not needed yet: read fresh when first used
    const entry = list.find((n) => haNetworkStream(n.id) === streamId);
    if (entry && streamVersion <= entry.version) return;
    if (entry && streamVersion === entry.version + 1) {
      const causes = VRID_EVENTS.has(event.type) ? await this.reader.latestCause([event]) : 0;
      this.step(entry, event, causes);
    } else {
      await this.refresh(projectId);
    }
  }

  private empty(id: string, index: number): HaNetworkEntry {
    return { id, index, state: haNetworkDecider.initialState(), version: 0, causePos: new Map() };
  }

  private step(entry: HaNetworkEntry, e: DomainEvent, causePos: number): void {
    entry.state = haNetworkDecider.evolve(entry.state, e);
    entry.version = e.metadata.streamVersion;
    if (e.type === 'VridAllocated' || e.type === 'VridReleased') {
      entry.causePos.set(e.data.routerId, Math.max(entry.causePos.get(e.data.routerId) ?? 0, causePos));
    }
  }

  private async fold(base: HaNetworkEntry, events: readonly DomainEvent[]): Promise<HaNetworkEntry> {
    const entry = { ...base, causePos: new Map(base.causePos) };
    const positions = await this.reader.positions(events.map((e) => e.metadata.causationId).filter((c): c is string => c !== null));
    for (const e of events) this.step(entry, e, positions.get(e.metadata.causationId ?? '') ?? 0);
    return entry;
  }
}
