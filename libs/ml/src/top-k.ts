/** Each row's best columns, best first: `indices` (−1 past the end of a short list) and `scores`, k per row. */
export interface TopK {
  k: number;
  indices: Int32Array;
  scores: Float32Array;
}

/**
 * The k highest scores of each row of a row-major [rows, cols] matrix, skipping the columns
 * `excluded(row)` names. One pass per row with a sorted buffer of k: a score below the current
 * k-th costs one comparison, so a row costs about `cols` comparisons.
 */
export function topKPerRow(
  scores: Float32Array,
  rows: number,
  cols: number,
  k: number,
  excluded: (row: number) => ReadonlySet<number> | undefined = () => undefined,
): TopK {
  const indices = new Int32Array(rows * k).fill(-1);
  const best = new Float32Array(rows * k).fill(-Infinity);
  for (let row = 0; row < rows; row++) {
    const skip = excluded(row);
    const at = row * k;
    let size = 0;
    for (let col = 0; col < cols; col++) {
      const score = scores[row * cols + col];
      if (size === k && score <= best[at + k - 1]) continue;
      if (skip?.has(col)) continue;
      // Insertion into the sorted buffer (descending); ties keep the earlier column first.
      let slot = size < k ? size++ : k - 1;
      while (slot > 0 && best[at + slot - 1] < score) {
        best[at + slot] = best[at + slot - 1];
        indices[at + slot] = indices[at + slot - 1];
        slot--;
      }
      best[at + slot] = score;
      indices[at + slot] = col;
    }
  }
  return { k, indices, scores: best };
}
