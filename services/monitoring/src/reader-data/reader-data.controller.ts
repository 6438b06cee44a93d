import { Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiZodParam, AuthenticatedRequest, RequireApiKey, parseBody } from '@newsroom/platform';
import { identifier } from '@newsroom/contracts';
import { z } from 'zod';
import { ReaderDataRequestsService } from './reader-data-requests.service';
import { ReaderExportService } from './reader-export.service';

const UserId = identifier('userId is required');
const RequestId = z.uuid('requestId must be a UUID');

/**
 * A reader's data on request, behind an admin key: export (everything the platform stores about
 * them, as JSON) and erasure (removed, or anonymised where a record must stay), each answered by
 * every holder and shown as a receipt of their confirmations.
 */
@ApiTags('reader data')
@ApiSecurity('api-key')
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class ReaderDataController {
  constructor(
    private readonly requests: ReaderDataRequestsService,
    private readonly exports: ReaderExportService,
  ) {}

  @Post('readers/:userId/export')
  @HttpCode(202)
  @RequireApiKey('admin')
  @ApiOperation({
    summary: "Ask every service for what it stores about a reader; follow the receipt's requestId",
  })
  @ApiZodParam('userId', UserId)
  exportReader(@Param('userId') userId: string, @Req() request: AuthenticatedRequest) {
    return this.requests.request(parseBody(UserId, userId), 'export', request.apiKeyName ?? 'unknown');
  }

  @Post('readers/:userId/erasure')
  @HttpCode(202)
  @RequireApiKey('admin')
  @ApiOperation({
    summary:
      "Erase a reader's interactions, features, lists and audit records in every service (anonymised where kept); follow the receipt",
  })
  @ApiZodParam('userId', UserId)
  eraseReader(@Param('userId') userId: string, @Req() request: AuthenticatedRequest) {
    return this.requests.request(parseBody(UserId, userId), 'erasure', request.apiKeyName ?? 'unknown');
  }

  @Get('reader-data-requests/:requestId')
  @RequireApiKey('admin')
  @ApiOperation({ summary: "A request's receipt: each holder's confirmation time and record count" })
  @ApiZodParam('requestId', RequestId)
  receipt(@Param('requestId') requestId: string) {
    return this.requests.receipt(parseBody(RequestId, requestId));
  }

  @Get('reader-data-requests/:requestId/export')
  @RequireApiKey('admin')
  @ApiOperation({
    summary: "A completed export: the receipt and each holder's part (409 while any is pending)",
  })
  @ApiZodParam('requestId', RequestId)
  @ApiResponse({ status: 409, description: 'a holder has not answered yet: retry' })
  exportDocument(@Param('requestId') requestId: string) {
    return this.exports.document(parseBody(RequestId, requestId));
  }
}
