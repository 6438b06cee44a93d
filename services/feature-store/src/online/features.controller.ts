import { Controller, Get, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { topicExamples } from '@newsroom/contracts';
import { ApiKeyGuard, RequireApiKey } from '@newsroom/platform';
import { DataSource } from 'typeorm';
import { ArticleFeatureView, UserFeatureView, articleFeatureViews, userFeatureViews } from './feature-views';

@ApiTags('features')
@Controller('v1/features')
@UseGuards(ApiKeyGuard)
export class FeaturesController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('users/:userId')
  @RequireApiKey('reader')
  @ApiSecurity('api-key')
  @ApiOperation({
    summary: "A reader's current features (the value last published on features.users, or newer)",
    description: 'Personal data (what the reader read): needs a reader or admin key.',
  })
  @ApiOkResponse({ schema: { example: (topicExamples.featuresUsers.value as { payload: unknown }).payload } })
  async user(@Param('userId') userId: string): Promise<UserFeatureView> {
    const [view] = await userFeatureViews(this.dataSource.manager, [userId]);
    if (!view) throw new NotFoundException(`no features for reader "${userId}"`);
    return view;
  }

  @Get('articles/:articleId')
  @ApiOperation({
    summary: "An article's current features (the value last published on features.articles, or newer)",
  })
  @ApiOkResponse({
    schema: { example: (topicExamples.featuresArticles.value as { payload: unknown }).payload },
  })
  async article(@Param('articleId') articleId: string): Promise<ArticleFeatureView> {
    const [view] = await articleFeatureViews(this.dataSource.manager, [articleId]);
    if (!view) throw new NotFoundException(`no features for article "${articleId}"`);
    return view;
  }
}
