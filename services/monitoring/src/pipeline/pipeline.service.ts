import { Injectable } from '@nestjs/common';
import { TopicName } from '@newsroom/contracts';
import { LineageService } from '../lineage/lineage.service';
import { HOUR_MS } from '../observations/observation-fold';
import { ConsumerLag } from './consumer-lag';
import { PipelineState } from './pipeline-state';

/** The topics whose records end a row of failed runs or rejected candidates. */
const rowEnders = new Set<string>(['model.trained', 'model.evaluated'] satisfies TopicName[]);

/**
 * The pipeline's state: each stage's last success (lineage), each consumer group's lag and how
 * long it has been stuck (lag above zero and no offset committed since), and dead letters.
 */
@Injectable()
export class PipelineService {
  /** When each group last made progress on a topic (or had nothing to do). */
  private readonly progressAt = new Map<string, { committed: number; at: number }>();
  private latest?: PipelineState;

  constructor(
    private readonly lineage: LineageService,
    private readonly lag: ConsumerLag,
  ) {}

  /** The state of the last check, if there was one. */
  lastState(): PipelineState | null {
    return this.latest ?? null;
  }

  /** The state of the last check, or a new one. */
  async state(): Promise<PipelineState> {
    return this.latest ?? this.check();
  }

  async check(): Promise<PipelineState> {
    // Offsets first: a row counted after them has seen every lineage record they say is consumed.
    const { groups, deadLetters } = await this.lag.read();
    // When the offsets were seen (not when the check began: fetching them takes a while).
    const now = Date.now();
    const stages = await this.lineage.stages();
    const lineageCaughtUp = groups
      .filter((g) => g.service === 'monitoring' && rowEnders.has(g.topic))
      .every((g) => g.lag === 0);
    const age = (at: Date) => Math.round(((now - at.getTime()) / HOUR_MS) * 100) / 100;
    const consumers = groups.map((g) => {
      const key = `${g.group}|${g.topic}`;
      const last = this.progressAt.get(key);
      if (!last || g.lag === 0 || g.committed !== last.committed) {
        this.progressAt.set(key, { committed: g.committed, at: now });
        return { ...g, stalledSeconds: 0 };
      }
      return { ...g, stalledSeconds: Math.round((now - last.at) / 1000) };
    });
    this.latest = {
      checkedAt: new Date(now).toISOString(),
      champion: stages.champion
        ? {
            modelVersion: stages.champion.modelVersion,
            since: stages.champion.since.toISOString(),
            ageHours: age(stages.champion.since),
          }
        : null,
      lastSnapshot: stages.lastSnapshotAt
        ? { at: stages.lastSnapshotAt.toISOString(), ageHours: age(stages.lastSnapshotAt) }
        : null,
      lastTraining: stages.lastTrainedAt
        ? { at: stages.lastTrainedAt.toISOString(), ageHours: age(stages.lastTrainedAt) }
        : null,
      lastScoringRun: stages.lastScoringRun
        ? {
            runId: stages.lastScoringRun.runId,
            modelVersion: stages.lastScoringRun.modelVersion,
            at: stages.lastScoringRun.at.toISOString(),
            ageHours: age(stages.lastScoringRun.at),
          }
        : null,
      rejectedInARow: stages.rejectedInARow,
      failedRunsInARow: stages.failedRunsInARow,
      lastFailedRun: stages.lastFailedRun
        ? { ...stages.lastFailedRun, at: stages.lastFailedRun.at.toISOString() }
        : null,
      lineageCaughtUp,
      consumers,
      deadLetters,
    };
    return this.latest;
  }
}
