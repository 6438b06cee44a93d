import { ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { Observable, throwError } from 'rxjs';

/**
 * HTTP errors get Nest's usual responses (no stack traces). Kafka handler errors are passed through
 * untouched: Nest's RPC filter would replace them with "Internal server error", and the consumer
 * runner needs the real error to decide on retry or dead letter and to name it in the DLQ headers.
 */
@Catch()
export class PlatformExceptionFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() === 'rpc') return throwError(() => exception);
    return super.catch(exception, host);
  }
}
