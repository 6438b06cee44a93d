import type { OpenAPIObject } from '@nestjs/swagger';
import { documentedMethods } from './method-not-allowed';

describe('documentedMethods', () => {
  const document = {
    paths: {
      '/v1/models/{modelVersion}': { get: {} },
      '/v1/models/rollback': { post: {} },
    },
  } as unknown as OpenAPIObject;
  const allowed = (path: string) => documentedMethods(document).find((d) => d.pattern.test(path))?.allow;

  it('answers for the most literal path the URL fits, as the router does', () => {
    expect(allowed('/v1/models/rollback')).toEqual(['POST']);
    expect(allowed('/v1/models/v12')).toEqual(['GET', 'HEAD']);
  });

  it('takes a template parameter as exactly one segment, and no trailing slash', () => {
    expect(allowed('/v1/models/v12/card')).toBeUndefined();
    expect(allowed('/v1/models/')).toBeUndefined();
  });
});
