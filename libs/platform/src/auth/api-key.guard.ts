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
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SERVICE_CONFIG } from '../service-config';
import { RateLimiter } from './rate-limiter';

export interface NamedApiKey {
  name: string;
  key: string;
}

/** A service's keys, from its config (`env.apiKeys`); provide them under API_KEYS to use ApiKeyGuard. */
export interface ApiKeysOptions {
  /** Keys for ordinary writes (producers). */
  producer: NamedApiKey[];
  /** Keys for administrative actions (also accepted where a producer key is). */
  admin: NamedApiKey[];
  /** Keys for reads where reads may be closed (serving); none configured = open reads. */
  reader?: NamedApiKey[];
  /** Keys for audit reads (who was shown what, takedown receipts): nothing else; none configured = admin only. */
  auditor?: NamedApiKey[];
  /** Requests per second allowed per key (token bucket; bursts up to twice that). */
  ratePerSecond: number;
}
export const API_KEYS = Symbol('API_KEYS');

/** The service's keys and rate, picked from its configuration. */
export function apiKeysProvider<C>(pick: (config: C) => ApiKeysOptions): FactoryProvider<ApiKeysOptions> {
  return { provide: API_KEYS, inject: [SERVICE_CONFIG], useFactory: pick };
}

export type ApiRole = 'reader' | 'producer' | 'admin' | 'auditor';
const API_ROLE = 'newsroom:api-role';

/**
 * The route needs an `x-api-key` of this role (admin keys may also write, read and audit, producer
 * keys read; auditor keys only audit).
 */
export const RequireApiKey = (role: ApiRole) => SetMetadata(API_ROLE, role);

/** The name of the key a request was authenticated with: the actor in audit records. */
export type AuthenticatedRequest = FastifyRequest & { apiKeyName?: string };

type KeyKind = keyof Pick<ApiKeysOptions, 'producer' | 'admin' | 'reader' | 'auditor'>;

/** The kinds of key each role accepts. */
const accepted: Record<ApiRole, readonly KeyKind[]> = {
  reader: ['reader', 'producer', 'admin'],
  producer: ['producer', 'admin'],
  admin: ['admin'],
  auditor: ['auditor', 'admin'],
};

/** Why a known key of a kind the role does not accept is refused. */
const refusal: Record<ApiRole, string> = {
  reader: 'this API key cannot read here',
  producer: 'this API key cannot write',
  admin: 'this endpoint needs an admin API key',
  auditor: 'this endpoint needs an auditor API key',
};

interface KnownKey {
  name: string;
  digest: Buffer;
  kind: KeyKind;
}

const digest = (key: string) => createHash('sha256').update(key).digest();
const kinds: readonly KeyKind[] = ['producer', 'admin', 'reader', 'auditor'];

@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: KnownKey[];
  private readonly limiter: RateLimiter;
  private readonly openReads: boolean;

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) options: ApiKeysOptions,
  ) {
    this.keys = kinds.flatMap((kind) =>
      (options[kind] ?? []).map((k) => ({ name: k.name, digest: digest(k.key), kind })),
    );
    this.openReads = (options.reader ?? []).length === 0;
    this.limiter = new RateLimiter(options.ratePerSecond);
  }

  canActivate(context: ExecutionContext): boolean {
    const role = this.reflector.get<ApiRole | undefined>(API_ROLE, context.getHandler());
    if (!role) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const name = this.authenticate(role, request.headers['x-api-key'], reply);
    if (name) request.apiKeyName = name;
    return true;
  }

  /**
   * Checks a presented key for a role (also for routes served outside Nest's pipeline): the key's
   * name, `undefined` for open reads, or an HttpException (401, 403, 429 with Retry-After).
   */
  authenticate(role: ApiRole, presented: unknown, reply: Pick<FastifyReply, 'header'>): string | undefined {
    if (role === 'reader' && this.openReads) return undefined;
    if (typeof presented !== 'string' || presented.length === 0) {
      throw new UnauthorizedException('missing x-api-key header');
    }
    // Compare digests in constant time, so response timing reveals nothing about the keys.
    const presentedDigest = digest(presented);
    const key = this.keys.find((k) => timingSafeEqual(k.digest, presentedDigest));
    if (!key) throw new UnauthorizedException('invalid API key');
    if (!accepted[role].includes(key.kind)) throw new ForbiddenException(refusal[role]);

    const waitSeconds = this.limiter.take(key.name);
    if (waitSeconds > 0) {
      reply.header('Retry-After', String(waitSeconds));
      throw new HttpException(`rate limit exceeded for key "${key.name}"`, HttpStatus.TOO_MANY_REQUESTS);
    }
    return key.name;
  }
}
