import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { LineageConsumer } from './lineage.consumer';
import { LineageService } from './lineage.service';

/** Datasets, models and the champion, as the drift reference and the pipeline's state need them. */
@Module({
  imports: [AlertsModule],
  controllers: [LineageConsumer],
  providers: [LineageService],
  exports: [LineageService],
})
export class LineageModule {}
