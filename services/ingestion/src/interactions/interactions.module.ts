import { Module } from '@nestjs/common';
import { SharedModule } from '../shared.module';
import { InteractionsConsumer } from './interactions.consumer';
import { InteractionsController } from './interactions.controller';
import { InteractionsService } from './interactions.service';

@Module({
  imports: [SharedModule],
  controllers: [InteractionsController, InteractionsConsumer],
  providers: [InteractionsService],
})
export class InteractionsModule {}
