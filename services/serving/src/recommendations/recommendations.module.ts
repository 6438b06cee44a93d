import { Module } from '@nestjs/common';
import { ChampionStore } from '@newsroom/platform';
import { ApiKeysModule } from '../api-keys.module';
import { EditorialModule } from '../editorial/editorial.module';
import { Explanations } from './explanations';
import { RecommendationIndex } from './recommendation-index';
import { RecommendationsConsumer } from './recommendations.consumer';
import { RecommendationsRoute } from './recommendations.route';
import { RecommendationsService } from './recommendations.service';
import { ServedLog } from './served-log';
import { TakedownConfirmations } from './takedown-confirmations';

/** Readers' top articles over HTTP, from lists batch scoring precomputed, with the editorial rules. */
@Module({
  imports: [ApiKeysModule, EditorialModule],
  controllers: [RecommendationsConsumer],
  providers: [
    ChampionStore,
    Explanations,
    RecommendationIndex,
    RecommendationsService,
    RecommendationsRoute,
    ServedLog,
    TakedownConfirmations,
  ],
  exports: [RecommendationIndex],
})
export class RecommendationsModule {}
