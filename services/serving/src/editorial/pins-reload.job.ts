import { Inject, Injectable } from '@nestjs/common';
import { PeriodicJob, SERVICE_CONFIG } from '@newsroom/platform';
import { ServingConfig } from '../config';
import { PinBoard } from './pin-board';

/**
 * Every SERVING_PINS_RELOAD_MS each replica reloads the pins: a pin taken (or deleted) by another
 * replica applies here within that long. The table is a few rows, read by an index.
 */
@Injectable()
export class PinsReloadJob extends PeriodicJob {
  constructor(
    @Inject(SERVICE_CONFIG) config: ServingConfig,
    private readonly board: PinBoard,
  ) {
    super('pins reload', config.SERVING_PINS_RELOAD_MS);
  }

  protected runOnce(): Promise<void> {
    return this.board.reload();
  }
}
