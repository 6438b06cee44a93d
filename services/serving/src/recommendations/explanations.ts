import { Injectable } from '@nestjs/common';
import { histogram } from '@newsroom/observability';
import { quotedSchema } from '@newsroom/persistence';
import { DataSource } from 'typeorm';
import { StoredList } from './recommendation-index';
import { ItemOrigin, ServedItem } from './response-draft';

interface AttributionsRow {
  revision: number;
  attribution_baseline: number | null;
  attributions: Record<string, Record<string, number>> | null;
}

/** Items whose score is the model's for this reader (a pinned one: when the list holds it). */
const modelScored: ReadonlySet<ItemOrigin> = new Set(['list', 'fresh', 'pinned']);

const lookupSeconds = histogram(
  'serving_explain_lookup_seconds',
  "Reading a reader's attributions from the serving schema for ?explain=true",
  [],
  [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
);

/**
 * `?explain=true`: each model-ranked item's exact Shapley values per feature group and the
 * baseline score they are measured from, as batch scoring computed them with the list. They are
 * read from the reader's stored list (a primary-key lookup) on explain requests only, and only
 * when the stored list is the revision the answer came from; the index does not hold them
 * (521,000 readers × 50 items × 5 groups would be about 0.5 GB more per replica).
 */
@Injectable()
export class Explanations {
  constructor(private readonly dataSource: DataSource) {}

  async explain(userId: string, list: StoredList | undefined, items: ServedItem[]): Promise<ServedItem[]> {
    if (!list || !items.some((item) => item.origin && modelScored.has(item.origin))) return items;
    const stopTimer = lookupSeconds.startTimer();
    const [row]: AttributionsRow[] = await this.dataSource.query(
      `SELECT revision, attribution_baseline, attributions FROM ${quotedSchema(this.dataSource)}.lists
       WHERE user_id = $1`,
      [userId],
    );
    stopTimer();
    if (!row || row.revision !== list.revision || row.attribution_baseline === null || !row.attributions)
      return items;
    const { attributions, attribution_baseline: baselineScore } = row;
    return items.map((item) => {
      const values = item.origin && modelScored.has(item.origin) ? attributions[item.articleId] : undefined;
      return values ? { ...item, attributions: values, baselineScore } : item;
    });
  }
}
