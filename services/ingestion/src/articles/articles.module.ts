import { Module } from '@nestjs/common';
import { SharedModule } from '../shared.module';
import { ArticlesConsumer } from './articles.consumer';
import { ArticlesController } from './articles.controller';
import { ArticlesService } from './articles.service';
import { ModerationService } from './moderation.service';

@Module({
  imports: [SharedModule],
  controllers: [ArticlesController, ArticlesConsumer],
  providers: [ArticlesService, ModerationService],
})
export class ArticlesModule {}
