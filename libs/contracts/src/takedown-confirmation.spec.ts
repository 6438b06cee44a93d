import { derivedEventId } from './envelope';
import { takedownConfirmations } from './takedown-confirmation';
import { topics } from './topics';

const takedown = { takedownId: '0b7f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f', articleId: 'a-1' };
const idOf = (holder: 'feature-store' | 'batch-scoring' | 'serving', instance: string) =>
  takedownConfirmations([takedown], { holder, instance })[0].value.eventId;

describe('takedownConfirmations', () => {
  it('builds records keyed by article that the topic schema accepts', () => {
    const [record] = takedownConfirmations(
      [takedown],
      { holder: 'batch-scoring', instance: 'bs-0' },
      '2026-12-04T10:00:00.000Z',
    );
    expect(record.key).toBe('a-1');
    expect(record.value.type).toBe(topics.takedownConfirmed.name);
    expect(record.value.producer).toBe('batch-scoring');
    expect(topics.takedownConfirmed.value.parse(record.value).payload).toEqual({
      ...takedown,
      holder: 'batch-scoring',
      instance: 'bs-0',
      confirmedAt: '2026-12-04T10:00:00.000Z',
    });
  });

  it('derives the event id from the topic, the takedown, the holder and (serving) the replica', () => {
    const prefix = `articles.takedown-confirmed:${takedown.takedownId}`;
    expect(idOf('feature-store', 'fs-0')).toBe(derivedEventId(`${prefix}:feature-store`));
    expect(idOf('serving', 'serving-a')).toBe(derivedEventId(`${prefix}:serving:serving-a`));
  });

  it('confirms a redelivered flag under the same event id', () => {
    expect(idOf('feature-store', 'fs-0')).toBe(idOf('feature-store', 'fs-0'));
    expect(idOf('serving', 'serving-a')).toBe(idOf('serving', 'serving-a'));
  });

  it('gives each serving replica its own confirmation, and the other holders one each', () => {
    expect(idOf('serving', 'serving-a')).not.toBe(idOf('serving', 'serving-b'));
    expect(idOf('feature-store', 'fs-0')).toBe(idOf('feature-store', 'fs-1'));
    expect(idOf('feature-store', 'fs-0')).not.toBe(idOf('batch-scoring', 'fs-0'));
  });
});
