import {
  Body,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ArtifactStore } from '@newsroom/artifacts';
import { ApiKeyGuard, ApiZodBody, EnumQuery, IntQuery, RequireApiKey, parseBody } from '@newsroom/platform';
import type { FastifyReply } from 'fastify';
import { createReadStream } from 'node:fs';
import { StageChange } from './dto/stage-change.dto';
import { ModelStage, ModelVersion, modelStages } from './model-version';
import { ModelsService, RegistryError } from './models.service';

@ApiTags('models')
@Controller('v1/models')
@UseGuards(ApiKeyGuard)
export class ModelsController {
  constructor(
    private readonly models: ModelsService,
    private readonly artifacts: ArtifactStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Model versions, newest first (?stage=champion for the champion)' })
  list(
    @EnumQuery('stage', modelStages) stage: ModelStage | undefined,
    @IntQuery('limit', { fallback: 50, min: 1, max: 500 }) limit: number,
  ): Promise<ModelVersion[]> {
    return this.models.list(stage, limit);
  }

  @Post('rollback')
  @HttpCode(200)
  @RequireApiKey('admin')
  @ApiSecurity('api-key')
  @ApiOperation({
    summary:
      'Roll back to the champion the current one replaced (emits model.promoted and model.rolled-back)',
  })
  @ApiZodBody(StageChange)
  @ApiResponse({ status: 409, description: 'there is no earlier champion to roll back to' })
  rollback(@Body() body: unknown): Promise<ModelVersion> {
    const { reason } = parseBody(StageChange, body);
    return this.stageChange(() => this.models.rollback(reason ?? 'rolled back by an operator'));
  }

  @Get(':modelVersion')
  @ApiOperation({
    summary:
      'A version: stage, lineage (dataset, parent, run, code version, params), metrics, evaluation, promotions',
  })
  async get(@Param('modelVersion') modelVersion: string): Promise<ModelVersion> {
    const version = await this.models.find(modelVersion);
    if (!version) throw new NotFoundException(`no model version "${modelVersion}"`);
    return version;
  }

  @Get(':modelVersion/artifact')
  @ApiProduces('application/octet-stream')
  @ApiOperation({
    summary:
      "The version's model file (newsroom-model/2; /1 before the freshness term), verified against its sha256 before it is sent",
  })
  async download(@Param('modelVersion') modelVersion: string, @Res() reply: FastifyReply): Promise<void> {
    const version = await this.models.find(modelVersion);
    if (!version) throw new NotFoundException(`no model version "${modelVersion}"`);
    try {
      await this.artifacts.verify(version.artifact);
    } catch (error) {
      // The registry still knows the version, but its file is gone or changed: say which.
      throw new ConflictException(
        `the artifact of "${modelVersion}" (${version.artifact.uri}) cannot be served: ${(error as Error).message}`,
      );
    }
    await reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${modelVersion}.bin"`)
      .header('x-content-sha256', version.artifact.sha256)
      .send(createReadStream(this.artifacts.path(version.artifact.uri)));
  }

  @Post(':modelVersion/promote')
  @HttpCode(200)
  @RequireApiKey('admin')
  @ApiSecurity('api-key')
  @ApiOperation({
    summary: 'Make this version the champion (the current one is archived; emits model.promoted)',
  })
  @ApiZodBody(StageChange)
  @ApiResponse({ status: 409, description: 'the version cannot be promoted (e.g. it failed its gate)' })
  promote(@Param('modelVersion') modelVersion: string, @Body() body: unknown): Promise<ModelVersion> {
    const { reason } = parseBody(StageChange, body);
    return this.stageChange(() => this.models.promote(modelVersion, reason ?? 'promoted by an operator'));
  }

  private async stageChange(change: () => Promise<ModelVersion>): Promise<ModelVersion> {
    try {
      return await change();
    } catch (error) {
      if (error instanceof RegistryError) {
        throw error.kind === 'not-found'
          ? new NotFoundException(error.message)
          : new ConflictException(error.message);
      }
      throw error;
    }
  }
}
