import { Controller, Logger } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TopicValue, topics } from '@newsroom/contracts';
import { ChampionStore } from '@newsroom/platform';
import { ConsumeTopic } from '@newsroom/messaging';
import { DataSource } from 'typeorm';
import { EvaluationsService } from './evaluations.service';

/**
 * `model.trained`: evaluate the candidate (once: a redelivered one finds its evaluation stored).
 * `model.promoted`: the champion the next candidates are compared with.
 */
@Controller()
export class EvaluationsConsumer {
  private readonly logger = new Logger(EvaluationsConsumer.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly evaluations: EvaluationsService,
    private readonly champion: ChampionStore,
  ) {}

  @ConsumeTopic(topics.modelTrained)
  async onTrained(@Payload() event: TopicValue<typeof topics.modelTrained>): Promise<void> {
    const { modelVersion, datasetId, artifact } = event.payload;
    const evaluation = await this.evaluations.evaluate({ modelVersion, datasetId, artifact });
    this.logger.log(
      `${modelVersion}: ${evaluation.passed ? 'passed' : 'failed'} — ${evaluation.reasons.join('; ')}`,
    );
  }

  @ConsumeTopic(topics.modelPromoted)
  async onPromoted(@Payload() event: TopicValue<typeof topics.modelPromoted>): Promise<void> {
    await this.champion.record(this.dataSource.manager, event.payload);
  }
}
