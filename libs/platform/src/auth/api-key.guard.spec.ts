import { ForbiddenException, HttpException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyGuard, ApiKeysOptions, ApiRole } from './api-key.guard';

const keys = {
  producer: { name: 'producer-a', key: 'producer-key-0123456789' },
  admin: { name: 'admin-a', key: 'admin-key-0123456789' },
  reader: { name: 'reader-a', key: 'reader-key-0123456789' },
  auditor: { name: 'auditor-a', key: 'auditor-key-0123456789' },
};

const guard = (options: Partial<ApiKeysOptions> = {}) =>
  new ApiKeyGuard(new Reflector(), {
    producer: [keys.producer],
    admin: [keys.admin],
    reader: [keys.reader],
    auditor: [keys.auditor],
    ratePerSecond: 1_000,
    ...options,
  });
const reply = { header: jest.fn() };

/** The key's name if `kind`'s key may use a route of `role`, else the exception's class. */
function outcome(role: ApiRole, kind: keyof typeof keys, options?: Partial<ApiKeysOptions>) {
  try {
    return guard(options).authenticate(role, keys[kind].key, reply);
  } catch (error) {
    return (error as Error).constructor;
  }
}

describe('ApiKeyGuard', () => {
  it.each<[ApiRole, Record<keyof typeof keys, unknown>]>([
    ['reader', { producer: 'producer-a', admin: 'admin-a', reader: 'reader-a', auditor: ForbiddenException }],
    [
      'producer',
      { producer: 'producer-a', admin: 'admin-a', reader: ForbiddenException, auditor: ForbiddenException },
    ],
    [
      'admin',
      {
        producer: ForbiddenException,
        admin: 'admin-a',
        reader: ForbiddenException,
        auditor: ForbiddenException,
      },
    ],
    [
      'auditor',
      { producer: ForbiddenException, admin: 'admin-a', reader: ForbiddenException, auditor: 'auditor-a' },
    ],
  ])('a %s route accepts exactly its kinds of key', (role, expected) => {
    for (const kind of Object.keys(keys) as (keyof typeof keys)[])
      expect([kind, outcome(role, kind)]).toEqual([kind, expected[kind]]);
  });

  it('says an auditor route needs an auditor key', () => {
    expect(() => guard().authenticate('auditor', keys.producer.key, reply)).toThrow(
      'this endpoint needs an auditor API key',
    );
  });

  it('keeps audit closed without auditor keys (admin keys only), unlike reads', () => {
    expect(outcome('auditor', 'admin', { auditor: undefined })).toBe('admin-a');
    expect(() => guard({ auditor: [] }).authenticate('auditor', undefined, reply)).toThrow(
      UnauthorizedException,
    );
    expect(guard({ reader: [] }).authenticate('reader', undefined, reply)).toBeUndefined();
  });

  it('refuses a missing or unknown key with 401', () => {
    expect(() => guard().authenticate('auditor', '', reply)).toThrow(UnauthorizedException);
    expect(() => guard().authenticate('auditor', 'unknown-key-0123456789', reply)).toThrow('invalid API key');
  });

  it('limits each key to its rate, with Retry-After', () => {
    const limited = guard({ ratePerSecond: 1 });
    limited.authenticate('auditor', keys.auditor.key, reply);
    limited.authenticate('auditor', keys.auditor.key, reply);
    expect(() => limited.authenticate('auditor', keys.auditor.key, reply)).toThrow(HttpException);
    expect(reply.header).toHaveBeenCalledWith('Retry-After', '1');
  });
});
