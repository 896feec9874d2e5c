import { mergeItemChanges } from './item-changes';

const copy = { revision: '1-4', items: { b: { v: 2 }, a: { v: 1 } } };

describe('mergeItemChanges', () => {
  it('replaces items given whole, drops those given as null, keeps the rest, in id order', () => {
    const merged = mergeItemChanges(copy, { since: '1-4' }, (c) => c.items, { c: { v: 3 }, a: null, b: { v: 20 } });
    expect(merged).toEqual({ b: { v: 20 }, c: { v: 3 } });
    expect(Object.keys(merged)).toEqual(['b', 'c']);
  });

  it('never shares objects with the change document', () => {
    const changes = { a: { v: 9 } };
    const merged = mergeItemChanges(copy, { since: '1-4' }, (c) => c.items, changes);
    changes.a.v = 10;
    expect(merged.a).toEqual({ v: 9 });
  });

  it('refuses a delta that does not start at the copy, or with no copy', () => {
    expect(() => mergeItemChanges(copy, { since: '1-3' }, (c) => c.items, {})).toThrow('delta since 1-3 does not apply to revision 1-4');
    expect(() => mergeItemChanges(null, { since: '1-3' }, (c: typeof copy) => c.items, {})).toThrow('does not apply to revision none');
  });
});
