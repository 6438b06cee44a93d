import { HttpException, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiKeyGuard, SERVICE_CONFIG, parseBody } from '@newsroom/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServingConfig } from '../config';
import { RecommendationsQuery, UserId } from './dto/recommendations-query';
import { Explanations } from './explanations';
import { recommendationsPath, servingResponseSchema } from './recommendations.openapi';
import { Recommendation, RecommendationsService } from './recommendations.service';
import { ServedItem } from './response-draft';
import { ServedLog } from './served-log';

type Request = FastifyRequest<{ Params: { userId: string }; Querystring: unknown }>;

const json = 'application/json; charset=utf-8';
/** Lookups of one explained answer while its reader's list keeps changing under it. */
const maxExplanationLookups = 3;

/**
 * `GET /v1/users/{userId}/recommendations`, registered on Fastify directly: the answer is a lookup
 * in memory, and Nest's per-request pipeline (router, guards, pipes, interceptors) cost more than
 * that lookup several times over. The same checks as elsewhere: the API-key guard's rules, the
 * zod schema of the query (400 naming the field), the contract's schema for the response.
 * `?explain=true` adds a database read (Explanations); the served record is the same either way.
 */
@Injectable()
export class RecommendationsRoute implements OnModuleInit {
  private readonly logger = new Logger(RecommendationsRoute.name);
  private readonly openLists: boolean;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly recommendations: RecommendationsService,
    private readonly explanations: Explanations,
    private readonly served: ServedLog,
    private readonly keys: ApiKeyGuard,
    @Inject(SERVICE_CONFIG) config: ServingConfig,
  ) {
    this.openLists = (config.SERVING_OPEN_LISTS ?? String(config.SERVING_API_KEYS.length === 0)) === 'true';
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.get(
      recommendationsPath,
      { schema: { response: { 200: servingResponseSchema } } },
      (request, reply) => this.handle(request as Request, reply),
    );
  }

  private handle(request: Request, reply: FastifyReply): FastifyReply | Promise<FastifyReply> {
    try {
      // The key first, as on every route; an explained answer names articles the reader read:
      // personal data, so never open.
      if (!this.openLists) this.keys.authenticate('reader', request.headers['x-api-key'], reply);
      const { limit, region, explain } = parseBody(RecommendationsQuery, request.query);
      if (explain && this.openLists) this.keys.authenticate('reader', request.headers['x-api-key'], reply);
      const userId = parseBody(UserId, request.params.userId);
      const answer = this.recommendations.recommend(userId, limit, region);
      if (explain) return this.explained(String(request.id), limit, region, answer, reply);
      // Serialised once, by the route's schema: the same bytes answer and go to the audit log.
      const body = String(reply.serialize(answer.response));
      this.record(String(request.id), region, answer, body);
      return reply.type(json).send(body);
    } catch (error) {
      if (error instanceof HttpException) return reply.status(error.getStatus()).send(error.getResponse());
      throw error;
    }
  }

  /**
   * The answer with its explanations. The response is assembled again once they are read: a flag
   * this replica stored (and confirmed) meanwhile holds for it, as for any other response. If a new
   * revision of the reader's list came in meanwhile, the values read were another revision's (or
   * none): that revision is explained in turn (a few times at most).
   */
  private async explained(
    requestId: string,
    limit: number,
    region: string | undefined,
    first: Recommendation,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    let answer = first;
    let explained: ServedItem[] = [];
    for (let lookups = 1; ; lookups++) {
      try {
        explained = await this.explanations.explain(
          answer.response.userId,
          answer.list,
          answer.response.items,
        );
      } catch (error) {
        this.logger.warn(`explanations unavailable: ${(error as Error).message}`);
        return reply.status(503).send({
          message: 'explanations are unavailable for the moment (their store did not answer): try again',
        });
      }
      const again = this.recommendations.recommend(first.response.userId, limit, region);
      const sameList = again.list?.revision === answer.list?.revision;
      answer = again;
      if (sameList || lookups === maxExplanationLookups) break;
    }
    const byArticle = new Map(explained.map((item) => [item.articleId, item]));
    const items = answer.response.items.map((item) => {
      const { attributions, baselineScore } = byArticle.get(item.articleId) ?? {};
      return attributions ? { ...item, attributions, baselineScore } : item;
    });
    // Recorded once answered: the served record keeps the response without its explanations.
    this.record(requestId, region, answer, String(reply.serialize(answer.response)));
    return reply.type(json).send(reply.serialize({ ...answer.response, items }));
  }

  private record(requestId: string, region: string | undefined, answer: Recommendation, body: string): void {
    this.served.record(requestId, answer.response.userId, region, body, {
      datasetId: answer.list?.datasetId,
      featureSchemaVersion: answer.list?.featureSchemaVersion,
      filtered: answer.filtered,
    });
  }
}
