import type { OpenAPIObject } from '@nestjs/swagger';
import { ServingResponse, recommendationListSize } from '@newsroom/contracts';
import { z } from 'zod';

export const recommendationsPath = '/v1/users/:userId/recommendations';

/** The response's JSON Schema, from the contract: Fastify serialises with it, /docs shows it. */
export const servingResponseSchema = (() => {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(ServingResponse) as Record<string, unknown>;
  return schema;
})();

const error = (description: string) => ({
  description,
  content: {
    'application/json': { schema: { type: 'object', properties: { message: { type: 'string' } } } },
  },
});

/** The route is served on Fastify directly (see RecommendationsRoute), so its docs are written here. */
export const recommendationsOpenApi: OpenAPIObject['paths'] = {
  '/v1/users/{userId}/recommendations': {
    get: {
      tags: ['recommendations'],
      summary: "A reader's top articles",
      description:
        "The reader's precomputed list (source `personalized`) without flagged articles, topped up from the " +
        'fallback when flags leave it short; readers without a list (unknown, no reads yet, or before the first ' +
        'model) get fresh popular articles of their region (source `fallback`). Editorial rules apply after ' +
        "personalization: editors' pins (`/v1/pins`) of the region named, or of every region, take their ranks, " +
        'and caps per publisher and per category (SERVING_EDITORIAL_CAPS) leave items out, the next ones moving ' +
        "up. Each item's `origin` says where it came from: `list` (ranked in a scoring run), `fresh` (a new " +
        'article placed into the list between runs), `fallback`, `top-up` (the fallback filling a short list) or ' +
        '`pinned`. Every response is logged on `recommendations.served` with the items passed over and why ' +
        '(`flagged`, `editorial-cap` with the rule, `duplicate`).',
      parameters: [
        { name: 'userId', in: 'path', required: true, schema: { type: 'string', maxLength: 200 } },
        {
          name: 'limit',
          in: 'query',
          required: false,
          schema: { type: 'integer', minimum: 1, maximum: recommendationListSize, default: 10 },
        },
        {
          name: 'region',
          in: 'query',
          required: false,
          description:
            "the reader's region, for the fallback: one of PLATFORM_REGIONS; any other is treated as none",
          schema: { type: 'string', minLength: 1, maxLength: 100 },
        },
        {
          name: 'explain',
          in: 'query',
          required: false,
          description:
            'true: each model-ranked item (origin `list`, `fresh`, or `pinned` from the list) carries `attributions`, ' +
            'the exact Shapley value of each named feature group (reader.recentWords, reader.categoryMix, ' +
            'article.words, article.category, article.publisher; article.age, the freshness term of the ' +
            "article's age when the list was ranked, for lists of models that have it), and `baselineScore`, " +
            "the score of the model's baseline reader and article: the values add up to score − baselineScore. " +
            "Read from the reader's stored list (a database lookup); items without attributions (the fallback, " +
            'lists scored before attributions) have none.',
          schema: { type: 'string', enum: ['true', 'false'], default: 'false' },
        },
        {
          name: 'x-api-key',
          in: 'header',
          required: false,
          description:
            'needed with `explain=true` (it names articles the reader read), and for plain lists unless they are open (SERVING_OPEN_LISTS)',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: 'the reader’s items',
          content: { 'application/json': { schema: servingResponseSchema } },
        },
        '400': error('invalid userId, limit, region or explain (the message names it)'),
        '401': error('missing or invalid API key (when the read needs one)'),
        '403': error('the key may not read here'),
        '429': error("the key's rate is exceeded (see Retry-After)"),
        '503': error('`explain=true` only: the explanations could not be read for the moment'),
      },
    },
  },
};
