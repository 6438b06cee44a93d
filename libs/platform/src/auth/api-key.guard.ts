import {
  CanActivate,
  ExecutionContext,
  FactoryProvider,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyDigest } from '@newsroom/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SERVICE_CONFIG } from '../service-config';
import { RateLimiter } from './rate-limiter';

/** A service's keys, from its config (`env.apiKeys`: names and SHA-256 digests); provide them under API_KEYS to use ApiKeyGuard. */
export interface ApiKeysOptions {
  /** Keys for ordinary writes (producers); they may also read. */
  producer: ApiKeyDigest[];
  /** Keys for administrative actions (accepted wherever any key is). */
  admin: ApiKeyDigest[];
  /** Keys for reads (of a reader's features, lists, explanations). */
  reader?: ApiKeyDigest[];
  /** Keys for editorial actions: flagging articles, pinning them. */
  moderator?: ApiKeyDigest[];
  /** Keys for audit reads (who was shown what, takedown receipts): nothing else. */
  auditor?: ApiKeyDigest[];
  /** Requests per second allowed per key (token bucket; bursts up to twice that). */
  ratePerSecond: number;
}
export const API_KEYS = Symbol('API_KEYS');

/** The service's keys and rate, picked from its configuration. */
export function apiKeysProvider<C>(pick: (config: C) => ApiKeysOptions): FactoryProvider<ApiKeysOptions> {
  return { provide: API_KEYS, inject: [SERVICE_CONFIG], useFactory: pick };
}

export type ApiRole = 'reader' | 'producer' | 'moderator' | 'auditor' | 'admin';
const API_ROLE = 'newsroom:api-role';

/**
 * The route needs an `x-api-key` of this role: admin keys are accepted everywhere, producer keys
 * also read, the other kinds only their own role.
 */
export const RequireApiKey = (role: ApiRole) => SetMetadata(API_ROLE, role);

/** The name of the key a request was authenticated with: the actor in audit records. */
export type AuthenticatedRequest = FastifyRequest & { apiKeyName?: string };

type KeyKind = keyof Pick<ApiKeysOptions, 'producer' | 'admin' | 'reader' | 'moderator' | 'auditor'>;

/** The kinds of key each role accepts. */
const accepted: Record<ApiRole, readonly KeyKind[]> = {
  reader: ['reader', 'producer', 'admin'],
  producer: ['producer', 'admin'],
  moderator: ['moderator', 'admin'],
  auditor: ['auditor', 'admin'],
  admin: ['admin'],
};

/** Why a known key of a kind the role does not accept is refused. */
const refusal: Record<ApiRole, string> = {
  reader: 'this API key cannot read here',
  producer: 'this API key cannot write',
  moderator: 'this endpoint needs a moderator API key',
  auditor: 'this endpoint needs an auditor API key',
  admin: 'this endpoint needs an admin API key',
};

interface KnownKey {
  name: string;
  digest: Buffer;
  kind: KeyKind;
}

const kinds: readonly KeyKind[] = ['producer', 'admin', 'reader', 'moderator', 'auditor'];

@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: KnownKey[];
  private readonly limiter: RateLimiter;

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) options: ApiKeysOptions,
  ) {
    this.keys = kinds.flatMap((kind) =>
      (options[kind] ?? []).map((k) => ({ name: k.name, digest: Buffer.from(k.sha256, 'hex'), kind })),
    );
    this.limiter = new RateLimiter(options.ratePerSecond);
  }

  canActivate(context: ExecutionContext): boolean {
    const role = this.reflector.get<ApiRole | undefined>(API_ROLE, context.getHandler());
    if (!role) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    request.apiKeyName = this.authenticate(role, request.headers['x-api-key'], reply);
    return true;
  }

  /**
   * Checks a presented key for a role (also for routes served outside Nest's pipeline): the key's
   * name, or an HttpException (401, 403, 429 with Retry-After).
   */
  authenticate(role: ApiRole, presented: unknown, reply: Pick<FastifyReply, 'header'>): string {
    if (typeof presented !== 'string' || presented.length === 0) {
      throw new UnauthorizedException('missing x-api-key header');
    }
    const key = this.find(presented);
    if (!key) throw new UnauthorizedException('invalid API key');
    if (!accepted[role].includes(key.kind)) throw new ForbiddenException(refusal[role]);

    const waitSeconds = this.limiter.take(key.name);
    if (waitSeconds > 0) {
      reply.header('Retry-After', String(waitSeconds));
      throw new HttpException(`rate limit exceeded for key "${key.name}"`, HttpStatus.TOO_MANY_REQUESTS);
    }
    return key.name;
  }

  /**
   * The known key whose digest is the presented key's. Every digest is compared, in constant time
   * and without stopping at a match, so response timing reveals neither a key nor where it is.
   */
  private find(presented: string): KnownKey | undefined {
    const presentedDigest = createHash('sha256').update(presented).digest();
    let found: KnownKey | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, presentedDigest) && !found) found = key;
    }
    return found;
  }
}
