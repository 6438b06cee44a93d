import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { ModelsModule } from '../models/models.module';
import { ModelCardsController } from './model-cards.controller';
import { ModelCardsService } from './model-cards.service';
import { MonitoringQualityClient } from './monitoring-quality.client';

/** Model cards: what a version is, what it learnt from, how it was judged and how it does online. */
@Module({
  imports: [ModelsModule, DatasetsModule],
  controllers: [ModelCardsController],
  providers: [ModelCardsService, MonitoringQualityClient],
})
export class CardsModule {}
