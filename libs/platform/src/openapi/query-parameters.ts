import { BadRequestException, PipeTransform, Query } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';

/** Applies a method decorator (documentation) from a parameter decorator. */
function document(target: object, key: string | symbol | undefined, decorator: MethodDecorator): void {
  const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
  if (key === undefined || !descriptor) throw new Error('query decorators document a method parameter');
  decorator(target, key, descriptor);
}

/**
 * `?name=` as an integer (decimal digits), clamped to [min, max], `fallback`
 * when absent; 400 naming it otherwise. Parsed and documented from this one definition.
 */
export function IntQuery(
  name: string,
  { fallback, min, max }: { fallback: number; min: number; max: number },
) {
  const pipe: PipeTransform<unknown, number> = {
    transform(value) {
      if (value === undefined) return fallback;
      if (typeof value !== 'string' || !/^-?\d+$/.test(value)) {
        throw new BadRequestException(`${name}: expected an integer`);
      }
      // However many digits: clamped.
      const n = Number(value);
      return Math.min(Math.max(n, min), max);
    },
  };
  const query = Query(name, pipe);
  return (target: object, key: string | symbol | undefined, index: number) => {
    query(target, key, index);
    const schema = { type: 'integer' as const, default: fallback };
    document(
      target,
      key,
      ApiQuery({ name, required: false, schema, description: `clamped to ${min}–${max}` }),
    );
  };
}

/** `?name=` as one of `values`, or undefined when absent; 400 naming it otherwise. */
export function EnumQuery<T extends string>(name: string, values: readonly T[]) {
  const pipe: PipeTransform<unknown, T | undefined> = {
    transform(value) {
      if (value === undefined) return undefined;
      if (!(values as readonly unknown[]).includes(value)) {
        throw new BadRequestException(`${name}: expected one of ${values.join(', ')}`);
      }
      return value as T;
    },
  };
  const query = Query(name, pipe);
  return (target: object, key: string | symbol | undefined, index: number) => {
    query(target, key, index);
    document(target, key, ApiQuery({ name, required: false, enum: [...values] }));
  };
}
