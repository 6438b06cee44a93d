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
        "The reader's precomputed list (source `personalized`) without flagged articles; readers without a list " +
        '(unknown, no reads yet, or before the first model) get fresh popular articles of their region (source ' +
        '`fallback`). Every response is logged on `recommendations.served`.',
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
          schema: { type: 'string', maxLength: 100 },
        },
        {
          name: 'x-api-key',
          in: 'header',
          required: false,
          description: 'needed when SERVING_API_KEYS is set',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: 'the reader’s items',
          content: { 'application/json': { schema: servingResponseSchema } },
        },
        '400': error('invalid userId, limit or region (the message names it)'),
        '401': error('missing or invalid API key (when reads need one)'),
      },
    },
  },
};
