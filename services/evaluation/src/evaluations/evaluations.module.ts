import { Module } from '@nestjs/common';
import { ChampionStore } from '@newsroom/platform';
import { EvaluationsConsumer } from './evaluations.consumer';
import { EvaluationsController } from './evaluations.controller';
import { EvaluationsService } from './evaluations.service';
import { Evaluator } from './evaluator';

/** Candidate evaluation against the champion and the baselines, and the promotion gate. */
@Module({
  controllers: [EvaluationsController, EvaluationsConsumer],
  providers: [ChampionStore, Evaluator, EvaluationsService],
})
export class EvaluationsModule {}
