import type { OpenAPIObject } from '@nestjs/swagger';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every error body: Nest's `{ statusCode, message, error }`, or a route's own with a `message`. */
const errorResponse = (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          statusCode: { type: 'integer' },
          message: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          error: { type: 'string' },
        },
      },
    },
  },
});

/**
 * Adds the responses the platform itself gives to the operations they can happen to, where the
 * route does not describe them already: 400 (a parameter or body its schema refuses), 401, 403 and
 * 429 (API keys), 404 (nothing under that identifier), 414 (a path parameter beyond any), 413 (body over HTTP_BODY_LIMIT_BYTES), 503
 * (HTTP_REQUEST_TIMEOUT_MS passed, or a dependency is unavailable: retry). Clients and the fuzzer
 * then know every status they may meet.
 */
export function withCommonResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const hasPathParameters = path.includes('{');
    for (const method of methods) {
      const operation = item[method] as Operation | undefined;
      if (!operation) continue;
      const responses = (operation.responses ??= {});
      const add = (status: string, description: string) => {
        responses[status] ??= errorResponse(description);
      };
      const secured = (operation.security ?? document.security ?? []).length > 0;
      const takesInput =
        hasPathParameters || (operation.parameters ?? []).length > 0 || !!operation.requestBody;
      if (takesInput) add('400', 'a parameter or the body is invalid (the message names it)');
      if (secured) {
        add('401', 'missing or unknown x-api-key');
        add('403', "the key's role may not use this operation");
        add('429', "the key's rate is exceeded (see Retry-After)");
      }
      if (hasPathParameters) {
        add('404', 'nothing under that identifier');
        add('414', 'a path parameter longer than any identifier');
      }
      if (operation.requestBody) add('413', 'the body is larger than HTTP_BODY_LIMIT_BYTES');
      if (!path.startsWith('/health/'))
        add('503', 'timed out, or a dependency is unavailable: retry (see Retry-After)');
    }
  }
  return document;
}
