import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Res,
  UnprocessableEntityException,
  BadRequestException,
  UseGuards,
} from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { topicExamples } from '@newsroom/contracts';
import {
  ApiKeyGuard,
  ApiZodBody,
  IntQuery,
  RequireApiKey,
  SERVICE_CONFIG,
  parseBody,
} from '@newsroom/platform';
import type { FastifyReply } from 'fastify';
import { FeatureStoreConfig } from '../config';
import { DatasetNotFoundError, DatasetsService, Manifest } from './datasets.service';
import { SnapshotRequest } from './dto/snapshot-request.dto';
import { snapshotWindow } from './snapshot-window';

const manifestExample = (topicExamples.datasetSnapshotted.value as { payload: { manifest: unknown } }).payload
  .manifest;

@ApiTags('datasets')
@Controller('v1/datasets')
@UseGuards(ApiKeyGuard)
export class DatasetsController {
  constructor(
    private readonly datasets: DatasetsService,
    @Inject(SERVICE_CONFIG) private readonly config: FeatureStoreConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireApiKey('admin')
  @ApiSecurity('api-key')
  @ApiOperation({
    summary: 'Snapshot a training dataset now',
    description:
      'Builds the dataset of the window (default: the configured number of days up to now), after the data-quality ' +
      'gate. 201 with the manifest of a new dataset, 200 when the same bytes already exist, 422 with the checks ' +
      'when the gate fails (a data-quality alert is published).',
  })
  @ApiZodBody(SnapshotRequest, {
    windowStart: '2026-11-17T00:00:00Z',
    windowEnd: '2026-11-24T00:00:00Z',
    validationHours: 24,
  })
  @ApiResponse({ status: 201, schema: { example: manifestExample } })
  @ApiResponse({ status: 200, description: 'the same bytes exist already: their manifest' })
  @ApiResponse({ status: 422, description: 'the data-quality gate rejected the window: its checks' })
  async create(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<Manifest> {
    const request = parseBody(SnapshotRequest, body);
    let window;
    try {
      window = snapshotWindow(request, this.config, Date.now());
    } catch (error) {
      throw new BadRequestException((error as Error).message);
    }
    const result = await this.datasets.snapshot('request', window);
    if (result.outcome === 'rejected') {
      throw new UnprocessableEntityException({
        message: `the data-quality gate rejected the window: ${result.checks
          .filter((c) => !c.passed)
          .map((c) => c.name)
          .join(', ')}`,
        checks: result.checks,
      });
    }
    if (result.outcome === 'existing') reply.status(200);
    return result.manifest;
  }

  @Get()
  @ApiOperation({ summary: 'The latest dataset manifests, newest first' })
  list(@IntQuery('limit', { fallback: 20, min: 1, max: 200 }) limit: number): Promise<Manifest[]> {
    return this.datasets.list(limit);
  }

  @Get(':datasetId')
  @ApiOperation({
    summary: "A dataset's manifest: window, rows, feature schema, code version, sources, quality checks",
  })
  @ApiResponse({ status: 200, schema: { example: manifestExample } })
  async get(@Param('datasetId') datasetId: string): Promise<Manifest> {
    const manifest = await this.datasets.find(datasetId);
    if (!manifest) throw new NotFoundException(`no dataset "${datasetId}"`);
    return manifest;
  }

  @Post(':datasetId/rebuild')
  @HttpCode(200)
  @RequireApiKey('admin')
  @ApiSecurity('api-key')
  @ApiOperation({
    summary: 'Rebuild a dataset from its manifest and check the bytes hash to its id again (lineage check)',
  })
  async rebuild(@Param('datasetId') datasetId: string) {
    try {
      return await this.datasets.rebuild(datasetId);
    } catch (error) {
      if (error instanceof DatasetNotFoundError) throw new NotFoundException(error.message);
      throw error;
    }
  }
}
