import { ForbiddenException, HttpException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { apiKeyDigest } from '@newsroom/config';
import { ApiKeyGuard, ApiKeysOptions, ApiRole } from './api-key.guard';

const keys = {
  producer: { name: 'producer-a', key: 'producer-key-0123456789' },
  admin: { name: 'admin-a', key: 'admin-key-0123456789' },
  reader: { name: 'reader-a', key: 'reader-key-0123456789' },
  moderator: { name: 'moderator-a', key: 'moderator-key-0123456789' },
  auditor: { name: 'auditor-a', key: 'auditor-key-0123456789' },
};
type Kind = keyof typeof keys;
const entry = (kind: Kind) => ({ name: keys[kind].name, sha256: apiKeyDigest(keys[kind].key) });

const guard = (options: Partial<ApiKeysOptions> = {}) =>
  new ApiKeyGuard(new Reflector(), {
    producer: [entry('producer')],
    admin: [entry('admin')],
    reader: [entry('reader')],
    moderator: [entry('moderator')],
    auditor: [entry('auditor')],
    ratePerSecond: 1_000,
    ...options,
  });
const reply = { header: jest.fn() };

/** The key's name if `kind`'s key may use a route of `role`, else the exception's class. */
function outcome(role: ApiRole, kind: Kind, options?: Partial<ApiKeysOptions>) {
  try {
    return guard(options).authenticate(role, keys[kind].key, reply);
  } catch (error) {
    return (error as Error).constructor;
  }
}

const no = ForbiddenException;

describe('ApiKeyGuard', () => {
  it.each<[ApiRole, Record<Kind, unknown>]>([
    ['reader', { producer: 'producer-a', admin: 'admin-a', reader: 'reader-a', moderator: no, auditor: no }],
    ['producer', { producer: 'producer-a', admin: 'admin-a', reader: no, moderator: no, auditor: no }],
    ['moderator', { producer: no, admin: 'admin-a', reader: no, moderator: 'moderator-a', auditor: no }],
    ['auditor', { producer: no, admin: 'admin-a', reader: no, moderator: no, auditor: 'auditor-a' }],
    ['admin', { producer: no, admin: 'admin-a', reader: no, moderator: no, auditor: no }],
  ])('a %s route accepts exactly its kinds of key', (role, expected) => {
    for (const kind of Object.keys(keys) as Kind[])
      expect([kind, outcome(role, kind)]).toEqual([kind, expected[kind]]);
  });

  it('says an auditor route needs an auditor key', () => {
    expect(() => guard().authenticate('auditor', keys.producer.key, reply)).toThrow(
      'this endpoint needs an auditor API key',
    );
  });

  it('needs a key on every role, even with no keys of that kind configured', () => {
    const bare = guard({ reader: [], auditor: [], moderator: [] });
    for (const role of ['reader', 'moderator', 'auditor'] as const) {
      expect(() => bare.authenticate(role, undefined, reply)).toThrow(UnauthorizedException);
      expect(bare.authenticate(role, keys.admin.key, reply)).toBe('admin-a');
    }
  });

  it('accepts an old and a new key of one kind at once (rotation), and neither once removed', () => {
    const rotating = guard({
      producer: [entry('producer'), { name: 'producer-b', sha256: apiKeyDigest('next-key-0123456789') }],
    });
    expect(rotating.authenticate('producer', keys.producer.key, reply)).toBe('producer-a');
    expect(rotating.authenticate('producer', 'next-key-0123456789', reply)).toBe('producer-b');
    const rotated = guard({
      producer: [{ name: 'producer-b', sha256: apiKeyDigest('next-key-0123456789') }],
    });
    expect(() => rotated.authenticate('producer', keys.producer.key, reply)).toThrow('invalid API key');
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
