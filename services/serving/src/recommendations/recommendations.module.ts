import { Module } from '@nestjs/common';
import { ChampionStore } from '@newsroom/ml';
import { ApiKeyGuard, apiKeysProvider } from '@newsroom/platform';
import { ServingConfig } from '../config';
import { RecommendationIndex } from './recommendation-index';
import { RecommendationsConsumer } from './recommendations.consumer';
import { RecommendationsRoute } from './recommendations.route';
import { RecommendationsService } from './recommendations.service';
import { ServedLog } from './served-log';

/** Readers' top articles over HTTP, from lists batch scoring precomputed. */
@Module({
  controllers: [RecommendationsConsumer],
  providers: [
    apiKeysProvider((config: ServingConfig) => ({
      producer: [],
      admin: [],
      reader: config.SERVING_API_KEYS,
      ratePerSecond: config.SERVING_API_KEY_RATE,
    })),
    ApiKeyGuard,
    ChampionStore,
    RecommendationIndex,
    RecommendationsService,
    RecommendationsRoute,
    ServedLog,
  ],
})
export class RecommendationsModule {}
