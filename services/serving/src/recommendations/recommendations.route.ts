import { HttpException, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiKeyGuard, parseBody } from '@newsroom/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RecommendationsQuery, UserId } from './dto/recommendations-query';
import { recommendationsPath, servingResponseSchema } from './recommendations.openapi';
import { RecommendationsService } from './recommendations.service';
import { ServedLog } from './served-log';

type Request = FastifyRequest<{ Params: { userId: string }; Querystring: unknown }>;

/**
 * `GET /v1/users/{userId}/recommendations`, registered on Fastify directly: the answer is a lookup
 * in memory, and Nest's per-request pipeline (router, guards, pipes, interceptors) cost more than
 * that lookup several times over. The same checks as elsewhere: the API-key guard's rules, the
 * zod schema of the query (400 naming the field), the contract's schema for the response.
 */
@Injectable()
export class RecommendationsRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly recommendations: RecommendationsService,
    private readonly served: ServedLog,
    private readonly keys: ApiKeyGuard,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.get(
      recommendationsPath,
      { schema: { response: { 200: servingResponseSchema } } },
      (request, reply) => this.handle(request as Request, reply),
    );
  }

  private handle(request: Request, reply: FastifyReply): FastifyReply {
    try {
      this.keys.authenticate('reader', request.headers['x-api-key'], reply);
      const userId = parseBody(UserId, request.params.userId);
      const { limit, region } = parseBody(RecommendationsQuery, request.query);
      const response = this.recommendations.recommend(userId, limit, region);
      // Serialised once, by the route's schema: the same bytes answer and go to the audit log.
      const body = String(reply.serialize(response));
      this.served.record(String(request.id), userId, region, body);
      return reply.type('application/json; charset=utf-8').send(body);
    } catch (error) {
      if (error instanceof HttpException) return reply.status(error.getStatus()).send(error.getResponse());
      throw error;
    }
  }
}
