import { HostHub } from './host-hub';

describe('HostHub', () => {
  it('wakes only the listeners of the changed hosts', () => {
    const hub = new HostHub();
    const seen: string[] = [];
    hub.subscribe('a', (r) => seen.push(`a1@${r}`));
    hub.subscribe('a', (r) => seen.push(`a2@${r}`));
    const offB = hub.subscribe('b', (r) => seen.push(`b@${r}`));
    hub.notify(new Map([['a', '1-5']]));
    expect(seen).toEqual(['a1@1-5', 'a2@1-5']);
    offB();
    hub.notify(new Map([['b', '1-6']]));
    expect(seen).toHaveLength(2);
    expect(hub.subscriberCount()).toBe(2);
    expect(hub.subscriberCount('b')).toBe(0);
  });

  it('keeps going when a listener throws', () => {
    const hub = new HostHub();
    const seen: string[] = [];
    hub.subscribe('a', () => {
      throw new Error('broken watcher');
    });
    hub.subscribe('a', (r) => seen.push(r));
    hub.tap((host, r) => seen.push(`${host}:${r}`));
    hub.notify(new Map([['a', '1-1']]));
    expect(seen).toEqual(['a:1-1', '1-1']);
  });
});
