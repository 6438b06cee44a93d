import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { gauge } from '@newsroom/observability';
import { PinsService } from './pins.service';

/** A pin as responses apply it. */
export interface BoardPin {
  articleId: string;
  /** null: every region. */
  region: string | null;
  rank: number;
  expiresAt: number;
}

const noPins: readonly BoardPin[] = [];
const pinsInForce = gauge('serving_pins_in_force', 'Editors’ pins this replica applies');

/**
 * The pins in force, in memory for responses: loaded at start, reloaded by the replica that took a
 * change at once and by every replica every SERVING_PINS_RELOAD_MS (PinsReloadJob). A pin that
 * expires between reloads is ignored from its expiry on.
 */
@Injectable()
export class PinBoard implements OnApplicationBootstrap {
  private pins: readonly BoardPin[] = noPins;
  private loadsStarted = 0;
  private loadApplied = 0;

  constructor(private readonly store: PinsService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
  }

  async reload(): Promise<void> {
    // Two reloads may overlap (the job's and a change's): the later one's answer stands.
    const load = ++this.loadsStarted;
    const pins = await this.store.inForce();
    if (load < this.loadApplied) return;
    this.loadApplied = load;
    this.pins = pins.map((p) => ({
      articleId: p.articleId,
      region: p.region,
      rank: p.rank,
      expiresAt: Date.parse(p.expiresAt),
    }));
    pinsInForce.set(this.pins.length);
  }

  /** The pins for a request naming `region` (or none) at `now`: by rank, oldest first within a rank. */
  forRequest(region: string | undefined, now?: number): readonly BoardPin[] {
    if (this.pins.length === 0) return noPins;
    const at = now ?? Date.now();
    return this.pins.filter((p) => p.expiresAt > at && (p.region === null || p.region === region));
  }
}
