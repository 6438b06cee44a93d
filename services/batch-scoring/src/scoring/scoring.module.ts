import { Module } from '@nestjs/common';
import { artifactStoreProvider, ChampionStore } from '@newsroom/platform';
import { FeatureStateModule } from '../feature-state/feature-state.module';
import { ArticleCatalog } from './article-catalog';
import { FallbackJob } from './fallback.job';
import { ListUpdatesService } from './list-updates.service';
import { ReaderLists } from './reader-lists';
import { ReaderRefreshJob } from './reader-refresh.job';
import { ReaderVectorsModule } from './reader-vectors.module';
import { ScoringEngine } from './scoring-engine';
import { ScoringRunnerJob } from './scoring-runner.job';
import { ScoringRunsController } from './scoring-runs.controller';
import { ScoringRunsService } from './scoring-runs.service';
import { ScoringConsumer } from './scoring.consumer';
import { ScoringWorkers } from './scoring-workers';
import { TakedownConfirmations } from './takedown-confirmations';

/** Readers' top-50 lists: full runs per promotion, new articles between runs, flags, the fallback. */
@Module({
  imports: [FeatureStateModule, ReaderVectorsModule],
  controllers: [ScoringConsumer, ScoringRunsController],
  providers: [
    artifactStoreProvider,
    ChampionStore,
    ArticleCatalog,
    ScoringWorkers,
    ScoringEngine,
    ReaderLists,
    ScoringRunsService,
    ScoringRunnerJob,
    ReaderRefreshJob,
    ListUpdatesService,
    FallbackJob,
    TakedownConfirmations,
  ],
})
export class ScoringModule {}
