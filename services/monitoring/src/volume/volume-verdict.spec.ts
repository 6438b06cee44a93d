import { volumeVerdict } from './volume-verdict';

const thresholds = { dropRatio: 0.5, spikeRatio: 3 };

describe('volumeVerdict', () => {
  it('compares with the median of the previous days', () => {
    expect(volumeVerdict(4_800, [5_000, 5_200, 100], thresholds)).toEqual({
      current: 4_800,
      expected: 5_000,
      baselineDays: 3,
      ratio: 0.96,
      state: 'normal',
    });
    expect(volumeVerdict(490, [5_000, 4_900], thresholds)).toMatchObject({ expected: 4_950, state: 'drop' });
    expect(volumeVerdict(20_000, [5_000], thresholds)).toMatchObject({ ratio: 4, state: 'spike' });
  });

  it('has no verdict without a previous day, and calls anything after silence a spike', () => {
    expect(volumeVerdict(10, [], thresholds)).toMatchObject({ expected: null, state: 'no-baseline' });
    expect(volumeVerdict(10, [0, 0], thresholds)).toMatchObject({ expected: 0, state: 'spike' });
    expect(volumeVerdict(0, [0], thresholds)).toMatchObject({ state: 'normal' });
  });
});
