import { topicExamples } from '@newsroom/contracts';
import { metricsRegistry } from '@newsroom/observability';
import { FieldWarnings } from './field-warnings';

/** What a stored record carries into its ingested event. */
const carried = (value: object) => (value as { fieldWarnings?: unknown }).fieldWarnings;

describe('FieldWarnings', () => {
  const read = topicExamples.interactionsRaw.value;
  const warnings = new FieldWarnings({ PLATFORM_REGIONS: ['latam', 'emea'] });

  const counted = async (labels: Record<string, string>) => {
    const metric = await metricsRegistry.getSingleMetric('ingestion_field_warnings_total')!.get();
    return metric.values
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  };

  it('keeps a region outside PLATFORM_REGIONS as reported, with a warning', () => {
    const accepted = warnings.acceptInteraction({ ...read, region: 'africa' });
    expect(accepted).toMatchObject({
      accepted: true,
      value: { region: 'africa' },
      warnings: [
        { field: 'region', reason: 'unknown-value', message: expect.stringContaining('latam, emea') },
      ],
    });
    expect(warnings.acceptInteraction({ ...read, region: 'latam' })).toMatchObject({ warnings: [] });
  });

  it('lets the stored record carry its warnings (field and reason) into the ingested event, and only then', () => {
    // Unknown fields, however many and whatever their names (even empty), travel as one `*`.
    const accepted = warnings.acceptInteraction({
      ...read,
      region: 'africa',
      campaign: 'spring',
      '': 1,
      utm: 'x',
    });
    expect(accepted.accepted && carried(accepted.value)).toEqual([
      { field: 'region', reason: 'unknown-value' },
      { field: '*', reason: 'unknown-field' },
    ]);
    const clean = warnings.acceptInteraction({ ...read, region: 'latam' });
    expect(clean.accepted && 'fieldWarnings' in clean.value).toBe(false);
    const article = warnings.acceptArticle({ ...topicExamples.articlesRaw.value, tags: 'not a list' });
    expect(article.accepted && carried(article.value)).toEqual([{ field: 'tags', reason: 'invalid' }]);
  });

  it('counts each warning by kind, source, reason and field, capping the labels of unknown fields', async () => {
    const before = await counted({ source: 'http', reason: 'unknown-field', field: '(other)' });
    const unknown = Array.from({ length: 25 }, (_, i) => ({
      field: `custom_${i}`,
      reason: 'unknown-field' as const,
      message: 'not in the contract (ignored)',
    }));
    warnings.count('interaction', 'http', unknown);
    warnings.count('interaction', 'kafka', [{ field: 'region', reason: 'unknown-value', message: '' }]);
    expect(await counted({ source: 'http', reason: 'unknown-field', field: 'custom_0' })).toBe(1);
    expect(await counted({ source: 'http', reason: 'unknown-field', field: '(other)' })).toBe(before + 5);
    expect(await counted({ kind: 'interaction', source: 'kafka', field: 'region' })).toBe(1);
  });
});
