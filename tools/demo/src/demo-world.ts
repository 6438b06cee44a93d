import { Region } from '@newsroom/contracts';
import { World, WorldEvent, readsOnly, simulate, startEndingNow, worldConfig } from '@newsroom/datagen';

/**
 * The pilot world as the demo publishes it, ending now (so the feature store's default window
 * holds it and its validation day is the world's last): every article and read, as a newsroom
 * without impression logs sends them (evaluation then ranks each reader's reads among a sample of
 * fresh articles). Impressions and clicks only with `allInteractions`: their 7 million events only
 * feed impression and click counters and the logged-impressions protocol, and would keep 2 cores
 * busy well past the demo's 10 minutes.
 */
export class DemoWorld {
  readonly world: World;
  readonly titles = new Map<string, string>();
  private readonly readsByReader = new Map<string, { reads: number; region?: Region }>();

  constructor(readonly allInteractions: boolean) {
    this.world = new World(worldConfig('pilot', { start: startEndingNow(7) }));
  }

  get lastDay(): number {
    return this.world.config.days - 1;
  }

  *events(): Generator<WorldEvent> {
    const events = simulate(this.world);
    for (const event of this.allInteractions ? events : readsOnly(events)) {
      if (event.kind === 'article') {
        this.titles.set(event.key, event.value.title);
      } else if (event.kind === 'interaction' && event.value.type === 'read') {
        const { userId, region } = event.value;
        const reader = this.readsByReader.get(userId) ?? { reads: 0, region };
        reader.reads++;
        this.readsByReader.set(userId, reader);
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
