import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, object>; required?: string[] };

/** A zod schema as OpenAPI 3.0 describes what a client sends (its input, before defaults and transforms). */
export function openApiSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });
  return withExclusiveBounds(json) as JsonSchema;
}

/**
 * zod's OpenAPI 3.0 output of `.positive()` / `.negative()` is `exclusiveMinimum: true` (or
 * `exclusiveMaximum`) without the bound it qualifies, which OpenAPI 3.0 requires: the bound is 0.
 */
function withExclusiveBounds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withExclusiveBounds);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = withExclusiveBounds(value);
  if (out['exclusiveMinimum'] === true && out['minimum'] === undefined) out['minimum'] = 0;
  if (out['exclusiveMaximum'] === true && out['maximum'] === undefined) out['maximum'] = 0;
  return out;
}

/** Documents a request body by the zod schema `parseBody` checks it with. */
export const ApiZodBody = (schema: z.ZodType, example?: unknown) =>
  ApiBody({ schema: { ...openApiSchema(schema), ...(example === undefined ? {} : { example }) } });

/** Documents a path parameter by the zod schema that checks it. */
export const ApiZodParam = (name: string, schema: z.ZodType, description?: string) =>
  ApiParam({ name, description, schema: openApiSchema(schema) });

/** Documents each query parameter by the zod object schema `parseBody` checks the query with. */
export function ApiZodQuery(schema: z.ZodObject) {
  const { properties = {}, required = [] } = openApiSchema(schema);
  return applyDecorators(
    ...Object.entries(properties).map(([name, property]) =>
      ApiQuery({ name, required: required.includes(name), schema: property }),
    ),
  );
}
