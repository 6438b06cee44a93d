import { TopicPayload, topics } from '@newsroom/contracts';
import { Inbox } from '@newsroom/persistence';
import { TestSchema, createTestSchema } from '@newsroom/persistence/testing';
import { uniqueName } from '@newsroom/testing';
import { migrations } from '../src/migrations';
import { ArticleFeaturesService } from '../src/online/article-features.service';
import { HOUR, inputs } from './feature-inputs';

type ArticleIngested = TopicPayload<typeof topics.articlesIngested>;

/**
 * The consumer marks an article's windows stale; the StaleWindowsJob sums and clears the mark.
 * When a batch of reads commits while a run of the job holds the article, the mark must survive
 * the run's commit, or the article's windows stay short of those reads until its next read.
 */
describe('stale windows against a concurrent sum (real PostgreSQL)', () => {
  let db: TestSchema;
  const applicationName = uniqueName('stale-windows');
  const articles = new ArticleFeaturesService(new Inbox());
  beforeAll(async () => {
    db = await createTestSchema({ migrations, applicationName });
  });
  afterAll(() => db?.drop());

  const reads7d = async (articleId: string) =>
    (
      await db.dataSource.query(
        `SELECT reads_7d, windows_stale FROM "${db.schema}".article_features WHERE article_id = $1`,
        [articleId],
      )
    )[0] as { reads_7d: number; windows_stale: boolean };

  it('a batch of reads committed during a sum keeps the article marked, and the next sum counts it', async () => {
    const now = Date.now();
    const article = inputs.article('a-1', 'politics', now - 2 * HOUR).payload as ArticleIngested;
    await db.dataSource.transaction((m) => articles.applyRevisions(m, [article]));
    const read = { articleId: 'a-1', bucket: now - (now % 300_000), dwellSeconds: 30 };
    await db.dataSource.transaction((m) => articles.recordReads(m, [read]));

    // A run of the job that has summed (and cleared the mark) but not yet committed.
    let commitSum!: () => void;
    let summed!: () => void;
    const sumHeld = new Promise<void>((resolve) => (summed = resolve));
    const sum = db.dataSource.transaction(async (m) => {
      expect(await articles.refreshStaleWindows(m, 10, now)).toBe(1);
      summed();
      await new Promise<void>((resolve) => (commitSum = resolve));
    });
    await sumHeld;
    // Meanwhile a second batch reads the article; it can only finish after the sum commits.
    const batch = db.dataSource.transaction((m) => articles.recordReads(m, [read]));
    await waitForLockWait();
    commitSum();
    await Promise.all([sum, batch]);

    expect(await reads7d('a-1')).toEqual({ reads_7d: 1, windows_stale: true });
    await db.dataSource.transaction((m) => articles.refreshStaleWindows(m, 10, now));
    expect(await reads7d('a-1')).toEqual({ reads_7d: 2, windows_stale: false });
  });

  /** Until a session of this schema's pool waits on a row lock (the batch behind the sum). */
  async function waitForLockWait(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const [{ n }] = await db.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE wait_event_type = 'Lock' AND application_name = $1`,
        [applicationName],
      );
      if (n > 0) return;
      if (Date.now() > deadline) throw new Error('the second batch never waited for the running sum');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});
