import { ArgumentsHost, Catch, ServiceUnavailableException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { ArtifactStoreError } from '@newsroom/artifacts';
import { isDependencyOutage } from '@newsroom/messaging';
import { Observable, throwError } from 'rxjs';

/** Seconds a client is told to wait before retrying a request refused during an outage. */
const RETRY_AFTER_SECONDS = 5;

/**
 * HTTP errors get Nest's usual responses (no stack traces); a request that failed because the
 * database or the broker is unavailable gets 503 with Retry-After (nothing was written: its
 * transaction rolled back), not a 500 that reads like the request's fault. One that failed because
 * the artifact store could not be written (full, read-only) gets 503 with the store's reason:
 * nothing was registered, and the same request succeeds once there is room again (no Retry-After:
 * that takes an operator, not seconds). Kafka handler errors are passed through untouched: Nest's
 * RPC filter would replace them with "Internal server error", and the consumer runner needs the
 * real error to decide on retry or dead letter and to name it in the DLQ headers.
 */
@Catch()
export class PlatformExceptionFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() === 'rpc') return throwError(() => exception);
    if (isDependencyOutage(exception)) {
      host.switchToHttp().getResponse().header('retry-after', String(RETRY_AFTER_SECONDS));
      return super.catch(
        new ServiceUnavailableException(
          `a dependency is unavailable, retry later: ${(exception as Error).message}`,
        ),
        host,
      );
    }
    if (exception instanceof ArtifactStoreError) {
      return super.catch(new ServiceUnavailableException(exception.message), host);
    }
    return super.catch(exception, host);
  }
}
