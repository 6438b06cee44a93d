import { BadRequestException } from '@nestjs/common';

/** An optional ISO-8601 instant from a query parameter, or a 400 naming it. */
export function parseInstant(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new BadRequestException(`${name}: expected an ISO-8601 instant, got "${value}"`);
  return at;
}
