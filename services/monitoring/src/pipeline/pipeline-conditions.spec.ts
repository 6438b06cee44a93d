import { PipelineThresholds, pipelineConditions } from './pipeline-conditions';
import { PipelineState } from './pipeline-state';

const thresholds: PipelineThresholds = {
  MONITORING_STAGE_MAX_AGE_HOURS: 36,
  MONITORING_MAX_REJECTED_IN_A_ROW: 3,
  MONITORING_MAX_FAILED_RUNS_IN_A_ROW: 2,
  MONITORING_CONSUMER_STALL_SECONDS: 120,
};

const fresh = { at: '2026-12-04T00:00:00.000Z', ageHours: 1 };

function state(overrides: Partial<PipelineState> = {}): PipelineState {
  return {
    checkedAt: '2026-12-04T01:00:00.000Z',
    champion: { modelVersion: 'v1', since: fresh.at, ageHours: 1 },
    lastSnapshot: fresh,
    lastTraining: fresh,
    lastScoringRun: { runId: 'r1', modelVersion: 'v1', ...fresh },
    rejectedInARow: 0,
    failedRunsInARow: 0,
    lastFailedRun: null,
    lineageCaughtUp: true,
    consumers: [],
    deadLetters: [],
    ...overrides,
  };
}

const failedTwice = {
  failedRunsInARow: 2,
  lastFailedRun: { runId: 'run-2', error: 'no snapshot', at: fresh.at },
};

describe('pipelineConditions', () => {
  it('clears every condition of a healthy pipeline', () => {
    const conditions = pipelineConditions(state(), thresholds, new Map());
    expect([...conditions.values()].every((c) => c === null)).toBe(true);
    expect([...conditions.keys()]).toEqual(
      expect.arrayContaining(['pipeline:training-failed-in-a-row', 'pipeline:rejected-in-a-row']),
    );
  });

  it('raises training runs failed in a row once monitoring has read every trained model', () => {
    const condition = pipelineConditions(state(failedTwice), thresholds).get(
      'pipeline:training-failed-in-a-row',
    );
    expect(condition).toMatchObject({
      severity: 'critical',
      message: 'the last 2 training runs failed; the latest: no snapshot',
    });
  });

  it('leaves the rows undecided while a trained model or an evaluation waits on its topic', () => {
    const conditions = pipelineConditions(
      state({ ...failedTwice, rejectedInARow: 5, lineageCaughtUp: false }),
      thresholds,
    );
    expect(conditions.has('pipeline:training-failed-in-a-row')).toBe(false);
    expect(conditions.has('pipeline:rejected-in-a-row')).toBe(false);
    // The other conditions are still decided.
    expect(conditions.get('pipeline:stale:champion')).toBeNull();
  });

  it('raises candidates rejected in a row at the threshold, not below', () => {
    const at = (n: number) =>
      pipelineConditions(state({ rejectedInARow: n }), thresholds).get('pipeline:rejected-in-a-row');
    expect(at(2)).toBeNull();
    expect(at(3)?.message).toBe('the evaluation gate rejected the last 3 candidates');
  });

  it('calls a stage stale past its maximum age, or missing since the champion', () => {
    const conditions = pipelineConditions(
      state({ lastSnapshot: { at: fresh.at, ageHours: 40 }, lastTraining: null }),
      thresholds,
    );
    expect(conditions.get('pipeline:stale:snapshot')?.message).toMatch(/40 h old \(more than 36 h\)/);
    expect(conditions.get('pipeline:stale:trained model')?.message).toBe(
      'no trained model since the champion was promoted',
    );
    expect(
      pipelineConditions(state({ champion: null, lastTraining: null }), thresholds).get(
        'pipeline:stale:trained model',
      ),
    ).toBeNull();
  });

  it('counts dead letters added since the previous check, none on the first', () => {
    const deadLetters = [{ topic: 'interactions.ingested.dlq', records: 7 }];
    const key = 'pipeline:dead-letters:interactions.ingested.dlq';
    expect(pipelineConditions(state({ deadLetters }), thresholds).get(key)).toBeNull();
    const before = new Map([['interactions.ingested.dlq', 4]]);
    expect(pipelineConditions(state({ deadLetters }), thresholds, before).get(key)?.details).toEqual({
      topic: 'interactions.ingested.dlq',
      added: 3,
      records: 7,
    });
  });

  it('raises a consumer group stalled for the configured time', () => {
    const consumer = {
      service: 'batch-scoring' as const,
      group: 'batch-scoring',
      topic: 'model.promoted',
      lag: 4,
      committed: 10,
    };
    const key = 'pipeline:stalled:batch-scoring:model.promoted';
    expect(
      pipelineConditions(state({ consumers: [{ ...consumer, stalledSeconds: 119 }] }), thresholds).get(key),
    ).toBeNull();
    expect(
      pipelineConditions(state({ consumers: [{ ...consumer, stalledSeconds: 120 }] }), thresholds).get(key)
        ?.message,
    ).toBe(
      'batch-scoring has consumed nothing of model.promoted for 120 s while 4 records wait: recommendation lists go stale',
    );
  });
});
