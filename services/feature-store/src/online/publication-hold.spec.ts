import { PublicationHold } from './publication-hold';

describe('PublicationHold', () => {
  it('holds while the store is far behind, and not when it has caught up', () => {
    const hold = new PublicationHold(1_000, 60_000);
    expect(hold.holds(0, 0)).toBe(false);
    expect(hold.holds(1_000, 1)).toBe(false);
    expect(hold.holds(50_000, 2)).toBe(true);
    expect(hold.holds(20_000, 30_000)).toBe(true);
    expect(hold.holds(10, 40_000)).toBe(false);
  });

  it('holds for at most maxMs in a row, then publishes until the store catches up', () => {
    const hold = new PublicationHold(1_000, 60_000);
    expect(hold.holds(50_000, 0)).toBe(true);
    expect(hold.holds(50_000, 59_999)).toBe(true);
    expect(hold.holds(50_000, 60_000)).toBe(false);
    expect(hold.holds(50_000, 90_000)).toBe(false);
    // Caught up once: the next bulk load may hold again.
    expect(hold.holds(0, 100_000)).toBe(false);
    expect(hold.holds(50_000, 100_001)).toBe(true);
  });

  it('never holds with a threshold of 0', () => {
    expect(new PublicationHold(0, 60_000).holds(1_000_000, 0)).toBe(false);
  });
});
