import { binaryChunks } from './sql';

describe('binaryChunks', () => {
  it('splits into power-of-two chunks, largest first, keeping order and every item', () => {
    const items = Array.from({ length: 13 }, (_, i) => i);
    const chunks = binaryChunks(items);
    expect(chunks.map((c) => c.length)).toEqual([8, 4, 1]);
    expect(chunks.flat()).toEqual(items);
  });

  it('never exceeds the maximum, and has few shapes whatever the count', () => {
    const sizes = new Set<number>();
    for (let n = 0; n <= 1500; n++) {
      const chunks = binaryChunks(
        Array.from({ length: n }, () => 0),
        512,
      );
      expect(chunks.reduce((sum, c) => sum + c.length, 0)).toBe(n);
      for (const c of chunks) sizes.add(c.length);
    }
    expect([...sizes].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
  });

  it('gives nothing for nothing', () => {
    expect(binaryChunks([])).toEqual([]);
  });
});
