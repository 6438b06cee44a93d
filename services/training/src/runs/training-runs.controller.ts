import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiZodBody, EnumQuery, IntQuery, RequireApiKey, parseBody } from '@newsroom/platform';
import type { FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TrainingRunRequest } from './dto/training-run-request.dto';
import { TrainingRun, trainingRunStatuses } from './training-run';
import { TrainingRunsService } from './training-runs.service';

@ApiTags('training runs')
@Controller('v1/training-runs')
@UseGuards(ApiKeyGuard)
export class TrainingRunsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: TrainingRunsService,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireApiKey('admin')
  @ApiSecurity('api-key')
  @ApiOperation({
    summary: 'Start a training run',
    description:
      'Queues a run on the given dataset, or, without one, requests a fresh snapshot from the feature store and ' +
      'trains on it. Runs execute one at a time in order. 202 with the run; the same Idempotency-Key again ' +
      'answers 200 with the run it made.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiZodBody(TrainingRunRequest, {
    datasetId: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    reason: 'new vocabulary',
  })
  async create(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TrainingRun> {
    const { datasetId, reason } = parseBody(TrainingRunRequest, body);
    if (idempotencyKey !== undefined && !/^[\w.:-]{1,200}$/.test(idempotencyKey)) {
      throw new BadRequestException('Idempotency-Key: 1 to 200 letters, digits, ".", ":", "-" or "_"');
    }
    if (datasetId && !(await this.runs.datasetKnown(datasetId))) {
      throw new BadRequestException(`datasetId: no dataset "${datasetId}" has been announced`);
    }
    const { run, created } = await this.dataSource.transaction((manager) =>
      this.runs.enqueue(manager, {
        trigger: 'request',
        key: `request:${idempotencyKey ?? randomUUID()}`,
        reason,
        datasetId,
      }),
    );
    if (!created) reply.status(200);
    return run;
  }

  @Get()
  @ApiOperation({ summary: 'Training runs, newest first' })
  list(
    @IntQuery('limit', { fallback: 20, min: 1, max: 200 }) limit: number,
    @EnumQuery('status', trainingRunStatuses) status: TrainingRun['status'] | undefined,
  ): Promise<TrainingRun[]> {
    return this.runs.list(limit, status);
  }

  @Get(':runId')
  @ApiParam({ name: 'runId', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({
    summary:
      'A run: params, dataset, parent model, code version, backend, per-epoch loss and validation metrics, times, memory',
  })
  async get(@Param('runId', new ParseUUIDPipe()) runId: string): Promise<TrainingRun> {
    const run = await this.runs.find(runId);
    if (!run) throw new NotFoundException(`no training run "${runId}"`);
    return run;
  }
}
