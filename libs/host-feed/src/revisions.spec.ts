import { deltaFrom, formatRevision, parseRevision } from './revisions';

describe('revisions', () => {
  it('round-trips <epoch>-<n> and rejects anything else', () => {
    expect(parseRevision(formatRevision(3, 42))).toEqual({ epoch: 3, rev: 42 });
    for (const bad of [null, undefined, '', '3', '3-', '-1', 'a-1', '1-2-3', '1.2']) expect(parseRevision(bad)).toBeNull();
  });
});

describe('deltaFrom', () => {
  const state = { epoch: 2, rev: 50, horizon: 10 };
  it('gives a delta from a revision of this epoch between the horizon and now', () => {
    expect(deltaFrom('2-10', state)).toBe(10);
    expect(deltaFrom('2-50', state)).toBe(50);
  });
  it('asks for a resync otherwise: no revision, another epoch, the future, or compacted away', () => {
    for (const since of [null, 'bogus', '1-20', '2-51', '2-9']) expect(deltaFrom(since, state)).toBeNull();
  });
});
