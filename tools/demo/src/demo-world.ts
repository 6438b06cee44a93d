import { Region } from '@newsroom/contracts';
import { DAY_MS, World, WorldEvent, simulate, worldConfig } from '@newsroom/datagen';

/**
 * The pilot world as the demo publishes it, ending now (so the feature store's default window
 * holds it and its validation day is the world's last). Every article and read goes out, and the
 * impressions of the last day (the held-out day: evaluation ranks what was shown); other
 * impressions and clicks only with `allInteractions`: those 6.2 million events only feed
 * impression and click counters, and would keep 2 cores busy well past the demo's 10 minutes.
 */
export class DemoWorld {
  readonly world: World;
  readonly titles = new Map<string, string>();
  private readonly readsByReader = new Map<string, { reads: number; region?: Region }>();

  constructor(readonly allInteractions: boolean) {
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 7 * DAY_MS;
    this.world = new World(worldConfig('pilot', { start: new Date(start).toISOString() }));
  }

  get lastDay(): number {
    return this.world.config.days - 1;
  }

  *events(): Generator<WorldEvent> {
    for (const event of simulate(this.world)) {
      if (event.kind === 'article') {
        this.titles.set(event.key, event.value.title);
      } else if (event.kind === 'interaction') {
        const { type, userId, region } = event.value;
        if (type === 'read') {
          const reader = this.readsByReader.get(userId) ?? { reads: 0, region };
          reader.reads++;
          this.readsByReader.set(userId, reader);
        } else if (!this.allInteractions && (type === 'click' || event.day < this.lastDay)) {
          continue;
        }
      }
      yield event;
    }
  }

  /** The most active reader of each region: whose lists the demo shows. */
  showcaseReaders(): { userId: string; region: string; reads: number }[] {
    const best = new Map<string, { userId: string; region: string; reads: number }>();
    for (const [userId, { reads, region = 'unknown' }] of this.readsByReader) {
      if ((best.get(region)?.reads ?? -1) < reads) best.set(region, { userId, region, reads });
    }
    return [...best.values()].sort((a, b) => a.region.localeCompare(b.region)).slice(0, 3);
  }
}
