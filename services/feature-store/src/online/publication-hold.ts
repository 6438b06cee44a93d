/**
 * Whether feature publication should hold: while the store is more than `threshold` input events
 * behind (a bulk load, a restart), every state it would publish is about to change again; but it
 * holds for at most `maxMs` in a row, so a store that never catches up still publishes.
 */
export class PublicationHold {
  private heldSince?: number;

  constructor(
    private readonly threshold: number,
    private readonly maxMs: number,
  ) {}

  holds(inputLag: number, now = Date.now()): boolean {
    if (this.threshold === 0 || inputLag <= this.threshold) {
      this.heldSince = undefined;
      return false;
    }
    this.heldSince ??= now;
    return now - this.heldSince < this.maxMs;
  }
}
