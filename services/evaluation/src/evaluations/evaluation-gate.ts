import { EvaluationReport } from '@newsroom/ml';

export interface GatePolicy {
  maxNdcgDrop: number;
  minBaselineRatio: number;
  maxSliceDrop: number;
  minSliceReaders: number;
}

export interface GateInputs {
  candidate: EvaluationReport;
  /** Absent for the first model: it only has to beat the baselines. */
  champion?: EvaluationReport;
  baselines: Record<string, EvaluationReport>;
}

const f = (value: number) => value.toFixed(4);

/**
 * The promotion gate: the candidate's NDCG@10 at least `minBaselineRatio` × every baseline's, not
 * more than `maxNdcgDrop` below the champion's, and on no slice (of at least `minSliceReaders`
 * readers on both sides) more than `maxSliceDrop` below the champion's. Every check gives a reason,
 * passed or failed, so the report says why.
 */
export function evaluationGate(
  { candidate, champion, baselines }: GateInputs,
  policy: GatePolicy,
): { passed: boolean; reasons: string[] } {
  const reasons: string[] = [];
  let passed = true;
  const check = (ok: boolean, text: string) => {
    passed &&= ok;
    reasons.push(`${ok ? 'pass' : 'FAIL'}: ${text}`);
  };
  if (candidate.overall.readers === 0) {
    return {
      passed: false,
      reasons: [
        'FAIL: the held-out slice has no reader who read something they were shown: nothing to judge by',
      ],
    };
  }
  const ndcg = candidate.overall.ndcgAt10;
  for (const [name, baseline] of Object.entries(baselines)) {
    const needed = policy.minBaselineRatio * baseline.overall.ndcgAt10;
    check(
      ndcg >= needed,
      `NDCG@10 ${f(ndcg)} vs ${name} ${f(baseline.overall.ndcgAt10)} (needs >= ${policy.minBaselineRatio} x = ${f(needed)})`,
    );
  }
  if (!champion) {
    reasons.push('no champion yet: the baselines decide');
    return { passed, reasons };
  }
  const floor = champion.overall.ndcgAt10 - policy.maxNdcgDrop;
  check(
    ndcg >= floor,
    `NDCG@10 ${f(ndcg)} vs champion ${f(champion.overall.ndcgAt10)} (needs >= ${f(floor)})`,
  );
  for (const [slice, report] of Object.entries(candidate.slices)) {
    const theirs = champion.slices[slice];
    if (!theirs || report.readers < policy.minSliceReaders || theirs.readers < policy.minSliceReaders)
      continue;
    const sliceFloor = theirs.ndcgAt10 - policy.maxSliceDrop;
    if (report.ndcgAt10 < sliceFloor) {
      check(
        false,
        `slice ${slice}: NDCG@10 ${f(report.ndcgAt10)} vs champion ${f(theirs.ndcgAt10)} (needs >= ${f(sliceFloor)}, ${report.readers} readers)`,
      );
    }
  }
  if (passed) reasons.push(`no slice worse than the champion's by more than ${policy.maxSliceDrop}`);
  return { passed, reasons };
}
