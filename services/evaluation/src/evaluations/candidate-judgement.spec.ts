import type { Champion } from '@newsroom/platform';
import { judgeCandidate } from './candidate-judgement';
import { Candidate, Evaluation } from './evaluation-job';

const candidate: Candidate = {
  modelVersion: 'v2',
  datasetId: 'd1',
  artifact: { uri: 'artifact://models/v2.bin', sha256: 'b' },
};
const champion: Champion = {
  modelVersion: 'v1',
  artifact: { uri: 'artifact://models/v1.bin', sha256: 'a' },
  sequence: 1,
};
const missing = (what: string) =>
  Object.assign(new Error(`ENOENT: no such file, open '${what}'`), { code: 'ENOENT' });
const judged = (c: Candidate, rival: Champion | undefined): Evaluation => ({
  modelVersion: c.modelVersion,
  championVersion: rival?.modelVersion ?? null,
  datasetId: c.datasetId,
  passed: true,
  reasons: [rival ? 'pass: vs champion' : 'no champion yet: the baselines decide'],
});

describe('judgeCandidate', () => {
  it('judges against the champion when both can be read', async () => {
    expect(await judgeCandidate(async (c, r) => judged(c, r), candidate, champion)).toMatchObject({
      championVersion: 'v1',
      reasons: ['pass: vs champion'],
    });
  });

  it("judges against the baselines, saying so, when the champion's weights are lost", async () => {
    const evaluation = await judgeCandidate(
      async (c, rival) => {
        if (rival) throw missing('models/v1.bin');
        return judged(c, rival);
      },
      candidate,
      champion,
    );
    expect(evaluation).toMatchObject({ passed: true, championVersion: 'v1' });
    expect(evaluation.rankers?.champion).toBeUndefined();
    expect(evaluation.reasons).toEqual([
      "WARN: the champion v1 could not be read (ENOENT: no such file, open 'models/v1.bin'): judged against the baselines alone",
      'no champion yet: the baselines decide',
    ]);
  });

  it('fails a candidate that cannot be read itself, saying why', async () => {
    const evaluation = await judgeCandidate(
      async () => {
        throw missing('models/v2.bin');
      },
      candidate,
      champion,
    );
    expect(evaluation).toEqual({
      modelVersion: 'v2',
      championVersion: 'v1',
      datasetId: 'd1',
      passed: false,
      reasons: ["FAIL: cannot evaluate: ENOENT: no such file, open 'models/v2.bin'"],
    });
  });

  it('throws what is not about the inputs (an outage), to be retried', async () => {
    const outage = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await expect(
      judgeCandidate(
        async () => {
          throw outage;
        },
        candidate,
        champion,
      ),
    ).rejects.toBe(outage);
  });
});
