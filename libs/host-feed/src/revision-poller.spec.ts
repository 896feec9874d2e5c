import { HostHub } from './host-hub';
import { RevisionPoller } from './revision-poller';

describe('RevisionPoller', () => {
  function setup() {
    const hub = new HostHub();
    const current = new Map<string, string>();
    const reads: string[][] = [];
    const poller = new RevisionPoller(
      hub,
      (hosts) => {
        reads.push([...hosts].sort());
        return Promise.resolve(new Map(hosts.map((h) => [h, current.get(h) ?? '1-0'])));
      },
      60_000,
    );
    const woken: string[] = [];
    for (const host of ['h1', 'h2']) hub.subscribe(host, (rev) => woken.push(`${host}@${rev}`));
    return { hub, current, reads, poller, woken };
  }

  it('reads every watched host at once and wakes only those whose revision moved', async () => {
    const { current, reads, poller, woken } = setup();
    poller.start();
    await poller.poll();
    // First sight: a stream may have started before a change, so both are woken once.
    expect(woken.sort()).toEqual(['h1@1-0', 'h2@1-0']);
    woken.length = 0;
    await poller.poll();
    expect(woken).toEqual([]);
    current.set('h2', '1-5');
    await poller.poll();
    expect(woken).toEqual(['h2@1-5']);
    expect(reads).toEqual([
      ['h1', 'h2'],
      ['h1', 'h2'],
      ['h1', 'h2'],
    ]);
    poller.stop();
  });

  it('does not wake a host whose watcher already sent the current revision', async () => {
    const { current, poller, woken } = setup();
    poller.seen('h1', '1-0');
    current.set('h2', '1-3');
    poller.seen('h2', '1-2');
    await poller.poll();
    expect(woken).toEqual(['h2@1-3']);
  });

  it('does not wake again for what a local commit already notified', async () => {
    const { hub, current, poller, woken } = setup();
    poller.start();
    await poller.poll();
    woken.length = 0;
    current.set('h1', '1-7');
    hub.notify(new Map([['h1', '1-7']]));
    await poller.poll();
    expect(woken).toEqual(['h1@1-7']);
    poller.stop();
  });

  it('reads nothing when nobody watches, and forgets hosts no longer watched', async () => {
    const hub = new HostHub();
    const reads: string[][] = [];
    const poller = new RevisionPoller(
      hub,
      (hosts) => {
        reads.push(hosts);
        return Promise.resolve(new Map(hosts.map((h) => [h, '1-1'])));
      },
      60_000,
    );
    await poller.poll();
    expect(reads).toEqual([]);
    const woken: string[] = [];
    const unsubscribe = hub.subscribe('h1', (rev) => woken.push(rev));
    await poller.poll();
    await poller.poll();
    expect(woken).toEqual(['1-1']);
    unsubscribe();
    await poller.poll();
    expect(reads).toEqual([['h1'], ['h1']]);
    // Watched again after a gap: woken again, since a change may have happened meanwhile.
    hub.subscribe('h1', (rev) => woken.push(rev));
    await poller.poll();
    expect(woken).toEqual(['1-1', '1-1']);
  });
});
