import { formatRevision, parseRevision } from './revisions';

describe('revisions', () => {
  it('round-trips <epoch>-<n> and rejects anything else', () => {
    expect(parseRevision(formatRevision(3, 42))).toEqual({ epoch: 3, rev: 42 });
    for (const bad of [null, undefined, '', '3', '3-', '-1', 'a-1', '1-2-3', '1.2']) expect(parseRevision(bad)).toBeNull();
  });
});
