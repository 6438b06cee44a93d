import { PinDto } from './dto/pin.dto';
import { PinBoard } from './pin-board';
import { PinsService } from './pins.service';

const hour = 3_600_000;
const now = Date.parse('2026-12-04T08:00:00.000Z');

const pin = (articleId: string, region: string | null, rank: number, expiresInMs = hour): PinDto => ({
  pinId: `pin-${articleId}`,
  articleId,
  region,
  rank,
  note: null,
  createdBy: 'desk',
  createdAt: new Date(now - hour).toISOString(),
  expiresAt: new Date(now + expiresInMs).toISOString(),
});

/** The table's pins in force, as PinsService reads them (in rank order); `answers` resolve on demand. */
class FakeStore {
  pins: PinDto[] = [];
  answers: ((pins: PinDto[]) => void)[] = [];
  deferred = false;
  inForce = () =>
    this.deferred
      ? new Promise<PinDto[]>((resolve) => this.answers.push(resolve))
      : Promise.resolve(this.pins);
}

describe('PinBoard', () => {
  let store: FakeStore;
  let board: PinBoard;

  beforeEach(() => {
    store = new FakeStore();
    board = new PinBoard(store as unknown as PinsService);
  });

  it("gives a request its region's pins and every region's, in the table's order", async () => {
    store.pins = [pin('all-1', null, 1), pin('africa-2', 'africa', 2), pin('americas-3', 'north-america', 3)];
    await board.reload();
    expect(board.forRequest('africa', now).map((p) => p.articleId)).toEqual(['all-1', 'africa-2']);
    expect(board.forRequest(undefined, now).map((p) => p.articleId)).toEqual(['all-1']);
  });

  it('ignores a pin from its expiry on, between reloads', async () => {
    store.pins = [pin('short', null, 1, 1_000), pin('long', null, 2)];
    await board.reload();
    expect(board.forRequest(undefined, now + 999).map((p) => p.articleId)).toEqual(['short', 'long']);
    expect(board.forRequest(undefined, now + 1_000).map((p) => p.articleId)).toEqual(['long']);
  });

  it('keeps the later of two overlapping reloads, whichever answers first', async () => {
    store.deferred = true;
    const earlier = board.reload();
    const later = board.reload();
    const [answerEarlier, answerLater] = store.answers;
    answerLater([pin('new', null, 1)]);
    await later;
    answerEarlier([pin('old', null, 1)]);
    await earlier;
    expect(board.forRequest(undefined, now).map((p) => p.articleId)).toEqual(['new']);
  });
});
