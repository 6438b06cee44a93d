import { Injectable } from '@nestjs/common';

/**
 * Set when the service starts shutting down, before its consumers stop: long work in a handler or
 * a job (a training run, an evaluation) stops at once and is left to be done again after the
 * restart, instead of holding the shutdown past SHUTDOWN_TIMEOUT_MS.
 */
@Injectable()
export class ShutdownSignal {
  private readonly controller = new AbortController();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  trigger(): void {
    this.controller.abort(new Error('the service is shutting down'));
  }
}
