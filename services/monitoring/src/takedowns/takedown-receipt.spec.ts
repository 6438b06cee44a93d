import { TakedownConfirmation, holderStates } from './takedown-receipt';

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 4, 8, 0, seconds)).toISOString();
const confirmed = (holder: string, instance: string, seconds: number): TakedownConfirmation => ({
  holder,
  instance,
  confirmedAt: at(seconds),
});

describe('takedown holders', () => {
  const expected = { expectedServing: ['serving-b', 'serving-a'] };

  it('lists every expected holder as pending before anyone confirms', () => {
    expect(holderStates(expected, [])).toEqual({
      complete: false,
      completedAt: null,
      holders: [
        { holder: 'feature-store', instance: null, confirmedAt: null },
        { holder: 'batch-scoring', instance: null, confirmedAt: null },
        { holder: 'serving', instance: 'serving-a', confirmedAt: null },
        { holder: 'serving', instance: 'serving-b', confirmedAt: null },
      ],
    });
  });

  it('stays incomplete while one expected replica has not confirmed', () => {
    const states = holderStates(expected, [
      confirmed('feature-store', 'fs-1', 1),
      confirmed('batch-scoring', 'bs-1', 2),
      confirmed('serving', 'serving-a', 1),
    ]);
    expect(states.complete).toBe(false);
    expect(states.completedAt).toBeNull();
    expect(states.holders).toContainEqual({ holder: 'serving', instance: 'serving-b', confirmedAt: null });
  });

  it('completes when the last expected holder confirms, and adds a replica that was not expected', () => {
    const states = holderStates(expected, [
      confirmed('serving', 'serving-b', 3),
      confirmed('serving', 'serving-c', 9),
      confirmed('feature-store', 'fs-1', 1),
      confirmed('batch-scoring', 'bs-1', 2),
      confirmed('serving', 'serving-a', 4),
    ]);
    expect(states).toEqual({
      complete: true,
      completedAt: at(4),
      holders: [
        { holder: 'feature-store', instance: 'fs-1', confirmedAt: at(1) },
        { holder: 'batch-scoring', instance: 'bs-1', confirmedAt: at(2) },
        { holder: 'serving', instance: 'serving-a', confirmedAt: at(4) },
        { holder: 'serving', instance: 'serving-b', confirmedAt: at(3) },
        { holder: 'serving', instance: 'serving-c', confirmedAt: at(9) },
      ],
    });
  });

  it('needs the feature store and batch scoring once each, whichever instance confirms', () => {
    const states = holderStates({ expectedServing: [] }, [
      confirmed('feature-store', 'fs-2', 5),
      confirmed('feature-store', 'fs-1', 2),
      confirmed('batch-scoring', 'bs-1', 3),
    ]);
    expect(states.complete).toBe(true);
    expect(states.completedAt).toBe(at(3));
    expect(states.holders.filter((h) => h.holder === 'feature-store').map((h) => h.instance)).toEqual([
      'fs-1',
      'fs-2',
    ]);
  });
});
