/** Beyond this many players 2^players coalitions is no longer a small table. */
const maxPlayers = 20;

function popcount(mask: number): number {
  let count = 0;
  for (let m = mask; m !== 0; m &= m - 1) count++;
  return count;
}

/** |S|! (n − |S| − 1)! / n! for each coalition size |S| from 0 to n − 1. */
function sizeWeights(players: number): Float64Array {
  const factorial = [1];
  for (let k = 1; k <= players; k++) factorial.push(factorial[k - 1] * k);
  return Float64Array.from(
    { length: players },
    (_, s) => (factorial[s] * factorial[players - s - 1]) / factorial[players],
  );
}

/**
 * Exact Shapley values of a game given by its value on every coalition: `values[mask]` is v(S) for
 * the coalition of the players whose bits are set in `mask` (2^players entries). Player i gets
 * Σ over S not holding i of |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S)): every coalition is
 * enumerated, nothing is sampled.
 */
export function exactShapley(values: ArrayLike<number>, players: number): Float64Array {
  if (!Number.isInteger(players) || players < 1 || players > maxPlayers) {
    throw new RangeError(`players must be an integer from 1 to ${maxPlayers}, not ${players}`);
  }
  const coalitions = 1 << players;
  if (values.length !== coalitions) {
    throw new RangeError(
      `a game of ${players} players has ${coalitions} coalition values, not ${values.length}`,
    );
  }
  const weights = sizeWeights(players);
  const phi = new Float64Array(players);
  for (let i = 0; i < players; i++) {
    const bit = 1 << i;
    for (let mask = 0; mask < coalitions; mask++) {
      if (mask & bit) continue;
      phi[i] += weights[popcount(mask)] * (values[mask | bit] - values[mask]);
    }
  }
  return phi;
}

/**
 * Shapley values are linear in the game: this is exactShapley as a [2^players, players] matrix
 * (row-major), φ = v · W, so that a batch of games is one matrix product.
 */
export function shapleyMatrix(players: number): Float64Array {
  const coalitions = 1 << players;
  const matrix = new Float64Array(coalitions * players);
  const unit = new Float64Array(coalitions);
  for (let mask = 0; mask < coalitions; mask++) {
    unit[mask] = 1;
    matrix.set(exactShapley(unit, players), mask * players);
    unit[mask] = 0;
  }
  return matrix;
}
