import { topKPerRow } from './top-k';

describe('topKPerRow', () => {
  const brute = (row: number[], k: number, skip: Set<number>) =>
    row
      .map((score, col) => ({ score, col }))
      .filter(({ col }) => !skip.has(col))
      .sort((a, b) => b.score - a.score || a.col - b.col)
      .slice(0, k)
      .map(({ col }) => col);

  it('finds the k best columns of every row, best first, as a full sort would', () => {
    const rows = 40;
    const cols = 300;
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const values = Float32Array.from({ length: rows * cols }, random);
    const skips = Array.from({ length: rows }, (_, r) => new Set([r, r * 3, 299]));
    const top = topKPerRow(values, rows, cols, 10, (r) => skips[r]);
    for (let r = 0; r < rows; r++) {
      const expected = brute([...values.subarray(r * cols, (r + 1) * cols)], 10, skips[r]);
      expect([...top.indices.subarray(r * 10, (r + 1) * 10)]).toEqual(expected);
      const scores = [...top.scores.subarray(r * 10, (r + 1) * 10)];
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
  });

  it('pads a row with fewer eligible columns than k with -1', () => {
    const top = topKPerRow(Float32Array.from([0.5, 0.9, 0.1]), 1, 3, 5, () => new Set([2]));
    expect([...top.indices]).toEqual([1, 0, -1, -1, -1]);
    expect(top.scores[0]).toBeCloseTo(0.9);
    expect(top.scores[2]).toBe(-Infinity);
  });
});
