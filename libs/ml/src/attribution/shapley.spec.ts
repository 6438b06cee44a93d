import { seededRandom } from '../train';
import { exactShapley, shapleyMatrix } from './shapley';

/** Shapley by definition: the mean marginal contribution over every ordering of the players. */
function permutationShapley(values: ArrayLike<number>, players: number): number[] {
  const phi = new Array<number>(players).fill(0);
  let orderings = 0;
  const visit = (order: number[], left: number[]) => {
    if (left.length === 0) {
      orderings++;
      let mask = 0;
      for (const player of order) {
        phi[player] += values[mask | (1 << player)] - values[mask];
        mask |= 1 << player;
      }
      return;
    }
    left.forEach((player, i) => visit([...order, player], [...left.slice(0, i), ...left.slice(i + 1)]));
  };
  visit(
    [],
    Array.from({ length: players }, (_, i) => i),
  );
  return phi.map((total) => total / orderings);
}

const randomGame = (players: number, random: () => number) =>
  Float64Array.from({ length: 1 << players }, () => random() * 2 - 1);

describe('exactShapley', () => {
  const random = seededRandom(11);

  it('equals the mean marginal contribution over all players! orderings, on random games of 1 to 6 players', () => {
    for (let players = 1; players <= 6; players++) {
      for (let game = 0; game < 5; game++) {
        const values = randomGame(players, random);
        const expected = permutationShapley(values, players);
        const phi = exactShapley(values, players);
        phi.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 12));
      }
    }
  });

  it('is efficient: the values add up to v(all) − v(∅)', () => {
    for (let players = 1; players <= 8; players++) {
      const values = randomGame(players, random);
      const total = exactShapley(values, players).reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(values[(1 << players) - 1] - values[0], 12);
    }
  });

  it('is symmetric: two players that are interchangeable get the same value', () => {
    // v depends on players 1 and 3 only through how many of them are in (plus noise from the others).
    const players = 5;
    const noise = randomGame(players, random);
    const values = Float64Array.from({ length: 1 << players }, (_, mask) => {
      const others = mask & ~0b01010;
      const both = ((mask >> 1) & 1) + ((mask >> 3) & 1);
      return noise[others] + both * 0.7 + (both === 2 ? 0.3 : 0);
    });
    const phi = exactShapley(values, players);
    expect(phi[1]).toBeCloseTo(phi[3], 12);
    expect(phi[1]).not.toBeCloseTo(0, 3);
  });

  it('gives a dummy player (who never changes the value) zero', () => {
    const players = 5;
    const noise = randomGame(players, random);
    const dummy = 2;
    const values = Float64Array.from({ length: 1 << players }, (_, mask) => noise[mask & ~(1 << dummy)]);
    const phi = exactShapley(values, players);
    expect(phi[dummy]).toBeCloseTo(0, 12);
    expect(phi.some((value, i) => i !== dummy && Math.abs(value) > 1e-3)).toBe(true);
  });

  it('as a matrix, gives the same values by one product', () => {
    const players = 5;
    const matrix = shapleyMatrix(players);
    const values = randomGame(players, random);
    const phi = exactShapley(values, players);
    for (let i = 0; i < players; i++) {
      let product = 0;
      for (let mask = 0; mask < 1 << players; mask++) product += values[mask] * matrix[mask * players + i];
      expect(product).toBeCloseTo(phi[i], 12);
    }
  });

  it('refuses a table of the wrong size', () => {
    expect(() => exactShapley([0, 1, 2], 2)).toThrow(/4 coalition values, not 3/);
    expect(() => exactShapley([0], 0)).toThrow(RangeError);
  });
});
