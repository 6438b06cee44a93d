import { categoryMix } from './reader-profile';

describe('categoryMix', () => {
  it('gives each category its share of dwell time, keys sorted', () => {
    const mix = categoryMix({ sports: 30, politics: 60, climate: 10 });
    expect(Object.keys(mix)).toEqual(['climate', 'politics', 'sports']);
    expect(mix).toEqual({ climate: 0.1, politics: 0.6, sports: 0.3 });
  });
  it('is empty before any dwell', () => {
    expect(categoryMix({})).toEqual({});
    expect(categoryMix({ sports: 0 })).toEqual({});
  });
});
