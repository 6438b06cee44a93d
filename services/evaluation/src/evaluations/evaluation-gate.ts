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
 * The promotion gate: the candidate's NDCG@10 at least `minBaselineRatio` × every baseline's (or,
 * where the champion misses that margin too on the same held-out slice, above the baseline's), not
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
    const theirs = baseline.overall.ndcgAt10;
    const needed = policy.minBaselineRatio * theirs;
    // When the world moves (a story makes popularity and recency strong), the champion may miss the
    // margin on this held-out slice too: keeping it over a candidate that beats it and the baseline
    // would serve the worse model. The candidate then only has to beat the baseline.
    const championMisses = champion !== undefined && champion.overall.ndcgAt10 < needed;
    if (championMisses) {
      check(
        ndcg > theirs,
        `NDCG@10 ${f(ndcg)} vs ${name} ${f(theirs)} (needs > ${f(theirs)}: the champion's ` +
          `${f(champion.overall.ndcgAt10)} misses ${policy.minBaselineRatio} x = ${f(needed)} too)`,
      );
    } else {
      check(
        ndcg >= needed,
        `NDCG@10 ${f(ndcg)} vs ${name} ${f(theirs)} (needs >= ${policy.minBaselineRatio} x = ${f(needed)})`,
      );
    }
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
