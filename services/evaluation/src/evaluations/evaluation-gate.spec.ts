import { EvaluationReport, RankingReport } from '@newsroom/ml';
import { evaluationGate } from './evaluation-gate';

const ranking = (ndcgAt10: number, readers = 100): RankingReport => ({
  ndcgAt10,
  recallAt10: 0,
  mrr: 0,
  auc: 0.5,
  coverage: 0,
  freshShare: 0,
  readers,
});
const report = (ndcg: number, slices: Record<string, [number, number]> = {}): EvaluationReport => ({
  overall: ranking(ndcg),
  slices: Object.fromEntries(
    Object.entries(slices).map(([name, [n, readers]]) => [name, ranking(n, readers)]),
  ),
});
const policy = { maxNdcgDrop: 0.005, minBaselineRatio: 1.1, maxSliceDrop: 0.02, minSliceReaders: 50 };
const baselines = { popularity: report(0.2), recency: report(0.18) };

describe('evaluationGate', () => {
  it('lets a first model through when it beats every baseline by the ratio', () => {
    expect(evaluationGate({ candidate: report(0.221), baselines }, policy).passed).toBe(true);
    const { passed, reasons } = evaluationGate({ candidate: report(0.219), baselines }, policy);
    expect(passed).toBe(false);
    expect(reasons).toContain('FAIL: NDCG@10 0.2190 vs popularity 0.2000 (needs >= 1.1 x = 0.2200)');
  });

  it('fails a candidate when the held-out slice has nobody to judge by', () => {
    const empty: EvaluationReport = { overall: ranking(NaN, 0), slices: {} };
    expect(evaluationGate({ candidate: empty, baselines }, policy)).toEqual({
      passed: false,
      reasons: [
        'FAIL: the held-out slice has no reader who read something they were shown: nothing to judge by',
      ],
    });
  });

  it('allows the champion minus the tolerance, not less', () => {
    const champion = report(0.3);
    expect(evaluationGate({ candidate: report(0.2951), champion, baselines }, policy).passed).toBe(true);
    const { passed, reasons } = evaluationGate({ candidate: report(0.2949), champion, baselines }, policy);
    expect(passed).toBe(false);
    expect(reasons).toContain('FAIL: NDCG@10 0.2949 vs champion 0.3000 (needs >= 0.2950)');
  });

  it('when the champion misses a baseline margin too, asks the candidate to beat that baseline and the champion', () => {
    // A story's days: recency (0.18) is strong; the champion (0.19) misses 1.1 x = 0.198.
    const champion = report(0.19);
    const better = evaluationGate(
      { candidate: report(0.196), champion, baselines: { recency: report(0.18) } },
      policy,
    );
    expect(better).toEqual({
      passed: true,
      reasons: [
        "pass: NDCG@10 0.1960 vs recency 0.1800 (needs > 0.1800: the champion's 0.1900 misses 1.1 x = 0.1980 too)",
        'pass: NDCG@10 0.1960 vs champion 0.1900 (needs >= 0.1850)',
        "no slice worse than the champion's by more than 0.02",
      ],
    });
    // Still not below the baseline, nor below the champion.
    expect(
      evaluationGate({ candidate: report(0.179), champion, baselines: { recency: report(0.18) } }, policy)
        .passed,
    ).toBe(false);
    expect(
      evaluationGate(
        { candidate: report(0.184), champion: report(0.195), baselines: { recency: report(0.18) } },
        policy,
      ).passed,
    ).toBe(false);
    // A champion that clears the margin keeps it for the candidate.
    const strong = evaluationGate(
      { candidate: report(0.196), champion: report(0.2), baselines: { recency: report(0.18) } },
      policy,
    );
    expect(strong.reasons).toContain('FAIL: NDCG@10 0.1960 vs recency 0.1800 (needs >= 1.1 x = 0.1980)');
  });

  it('fails a candidate worse on one slice, but not on a slice too small to judge', () => {
    const champion = report(0.3, { 'region:asia': [0.3, 80], 'new-readers': [0.3, 10] });
    const worseOnAsia = report(0.31, { 'region:asia': [0.279, 80], 'new-readers': [0.31, 10] });
    const result = evaluationGate({ candidate: worseOnAsia, champion, baselines }, policy);
    expect(result.passed).toBe(false);
    expect(result.reasons.filter((r) => r.startsWith('FAIL'))).toEqual([
      'FAIL: slice region:asia: NDCG@10 0.2790 vs champion 0.3000 (needs >= 0.2800, 80 readers)',
    ]);
    const worseOnTinySlice = report(0.31, { 'region:asia': [0.3, 80], 'new-readers': [0.1, 10] });
    expect(evaluationGate({ candidate: worseOnTinySlice, champion, baselines }, policy).passed).toBe(true);
  });
});
