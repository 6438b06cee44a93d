import { Inject, Injectable } from '@nestjs/common';
import {
  Acceptance,
  Article,
  FieldWarning,
  Interaction,
  acceptArticle,
  acceptInteraction,
} from '@newsroom/contracts';
import { counter } from '@newsroom/observability';
import { SERVICE_CONFIG } from '@newsroom/platform';
import { IngestionConfig } from '../config';
import { RecordKind, Source } from './ingestion-metrics';

const warningsTotal = counter(
  'ingestion_field_warnings_total',
  'Fields of stored records not taken as sent: an invalid optional attribute dropped, an unknown field ignored, a value outside the configuration (a region not in PLATFORM_REGIONS) kept as reported',
  ['kind', 'source', 'reason', 'field'],
);

/** Distinct unknown field names given their own label; producers choose them, so they are capped. */
const MAX_UNKNOWN_FIELD_LABELS = 20;

/**
 * Field warnings of accepted records: the contract's (optional attributes dropped, unknown fields
 * ignored) and the configuration's (a region the platform has no fallback or slice for, kept as
 * reported so that adding it to PLATFORM_REGIONS later makes it count without re-ingesting). Each is
 * counted on /metrics; the record itself is stored.
 */
@Injectable()
export class FieldWarnings {
  private readonly regions: ReadonlySet<string>;
  private readonly unknownFieldLabels = new Set<string>();

  constructor(@Inject(SERVICE_CONFIG) config: Pick<IngestionConfig, 'PLATFORM_REGIONS'>) {
    this.regions = new Set(config.PLATFORM_REGIONS);
  }

  /**
   * Accepts an interaction as the contract does, adding the configuration's warnings; the value
   * carries them (`fieldWarnings`) into `interactions.ingested`, where monitoring counts them per source.
   */
  acceptInteraction(value: unknown): Acceptance<Interaction> {
    const result = acceptInteraction(value);
    if (!result.accepted) return result;
    const warnings = this.ofInteraction(result.value, result.warnings);
    return { accepted: true, value: carrying(result.value, warnings), warnings };
  }

  /** Accepts an article as the contract does; the value carries its warnings into `articles.ingested`. */
  acceptArticle(value: unknown): Acceptance<Article> {
    const result = acceptArticle(value);
    return result.accepted ? { ...result, value: carrying(result.value, result.warnings) } : result;
  }

  /** The contract's warnings for an interaction plus the configuration's. */
  ofInteraction(interaction: Interaction, warnings: FieldWarning[]): FieldWarning[] {
    if (interaction.region === undefined || this.regions.has(interaction.region)) return warnings;
    return [
      ...warnings,
      {
        field: 'region',
        reason: 'unknown-value',
        message: `not one of PLATFORM_REGIONS (${[...this.regions].join(', ')}); kept as reported, served the overall fallback`,
      },
    ];
  }

  count(kind: RecordKind, source: Source, warnings: readonly FieldWarning[]): void {
    for (const { reason, field } of warnings) {
      warningsTotal.inc({ kind, source, reason, field: this.label(reason, field) });
    }
  }

  private label(reason: FieldWarning['reason'], field: string): string {
    if (reason !== 'unknown-field' || this.unknownFieldLabels.has(field)) return field;
    if (this.unknownFieldLabels.size >= MAX_UNKNOWN_FIELD_LABELS || field.length > 64) return '(other)';
    this.unknownFieldLabels.add(field);
    return field;
  }
}

/** A stored record's warnings as its ingested event carries them. */
export interface CarriedWarning {
  field: string;
  reason: FieldWarning['reason'];
}

/**
 * The record with the fields it was not taken as sent (as `fieldWarnings`), when there are any.
 * Unknown fields are named by producers, any number of them and any name: they travel as one `*`.
 */
export function carrying<T extends object>(
  value: T,
  warnings: readonly FieldWarning[],
): T & { fieldWarnings?: CarriedWarning[] } {
  if (warnings.length === 0) return value;
  const carried = warnings
    .filter((w) => w.reason !== 'unknown-field')
    .map(({ field, reason }) => ({ field, reason }));
  if (warnings.some((w) => w.reason === 'unknown-field'))
    carried.push({ field: '*', reason: 'unknown-field' });
  return { ...value, fieldWarnings: carried };
}
