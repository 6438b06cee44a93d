import { artifactEnv } from '@newsroom/artifacts';
import { env } from '@newsroom/config';
import { serviceEnv } from '@newsroom/platform';
import { z } from 'zod';

const share = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);
const positive = (fallback: number) => z.coerce.number().positive().default(fallback);

export const configSchema = z.object({
  ...serviceEnv(3008),
  /** Where the parts of readers' data exports are read from (monitoring's own part is written there too). */
  ...artifactEnv,
  /** Auditors' keys for the "why shown" trail and takedown receipts (admin keys are accepted too). */
  MONITORING_AUDITOR_API_KEYS: env.apiKeys('MONITORING_AUDITOR_API_KEYS'),
  /** Administrators' keys: audit, and readers' data export and erasure. */
  MONITORING_ADMIN_API_KEYS: env.apiKeys('MONITORING_ADMIN_API_KEYS'),
  /** Requests per second allowed per API key (token bucket; bursts up to twice that). */
  MONITORING_API_KEY_RATE: env.positiveInt(100),
  /** Served responses are kept in the audit trail this many days (whole day partitions are dropped). */
  MONITORING_AUDIT_RETENTION_DAYS: env.positiveInt(90),
  /** The audit trail's day partitions are created this many days ahead (late and early records create their own). */
  MONITORING_AUDIT_PARTITIONS_AHEAD_DAYS: env.positiveInt(3),
  /** How often the audit trail's partitions are created ahead and dropped past retention. */
  MONITORING_AUDIT_MAINTENANCE_INTERVAL_MS: env.positiveInt(3_600_000),
  /** How often drift, volume and the alerts' conditions are checked. */
  MONITORING_CHECK_INTERVAL_MS: env.positiveInt(60_000),
  /** A firing alert resolves after its condition has been clear this many checks in a row. */
  MONITORING_ALERT_CLEAR_CHECKS: env.positiveInt(3),
  /** The current window of data drift: the hours up to the latest read. */
  MONITORING_DRIFT_WINDOW_HOURS: env.positiveInt(24),
  /** A feature drifts when its distance reaches this (Jensen–Shannon, or Wasserstein in reference stds). */
  MONITORING_DRIFT_FEATURE_THRESHOLD: positive(0.1),
  /** The data drifts when this share of the judged features drifts. */
  MONITORING_DRIFT_SHARE_THRESHOLD: share(0.5),
  /**
   * A feature is judged only with at least this many observations in each window: below it, the
   * distances measure sampling noise (Evidently, too, uses them only above 1,000 rows).
   */
  MONITORING_DRIFT_MIN_SAMPLES: env.positiveInt(1_000),
  /** Drift reports are kept this long. */
  MONITORING_REPORT_RETENTION_DAYS: env.positiveInt(30),
  /** A served item read by its reader within this many hours counts as a hit of that list. */
  MONITORING_QUALITY_HORIZON_HOURS: env.positiveInt(24),
  /** Online quality is measured over the lists served in this many hours (whose horizon has passed). */
  MONITORING_QUALITY_WINDOW_HOURS: env.positiveInt(24),
  /** A version, source or region is judged only on at least this many lists. */
  MONITORING_QUALITY_MIN_LISTS: env.positiveInt(500),
  /** A version's hit rate this far (relative) below its first window's raises a model alert. */
  MONITORING_QUALITY_MAX_DROP: share(0.2),
  /** The champion, the last snapshot and the last trained model older than this raise pipeline alerts. */
  MONITORING_STAGE_MAX_AGE_HOURS: positive(48),
  /** This many candidates rejected by the gate in a row raise a pipeline alert. */
  MONITORING_MAX_REJECTED_IN_A_ROW: env.positiveInt(3),
  /** One failed run may be a bad moment; two in a row mean the models stop being renewed. */
  MONITORING_MAX_FAILED_RUNS_IN_A_ROW: env.positiveInt(2),
  /**
   * The services' consumer groups are named this prefix and the service's name (their
   * KAFKA_GROUP_ID default: no prefix); set it where a deployment prefixes them.
   */
  MONITORING_CONSUMER_GROUP_PREFIX: z.string().default(''),
  /** A consumer group with records waiting and no offset committed for this long is stuck. */
  MONITORING_CONSUMER_STALL_SECONDS: env.positiveInt(600),
  /** The services' availability is judged over this many minutes against their objective (SLO_AVAILABILITY_TARGET). */
  MONITORING_SLA_WINDOW_MINUTES: env.positiveInt(60),
  /** Below this many requests in the window, a few failures say nothing of the SLA. */
  MONITORING_SLA_MIN_REQUESTS: env.positiveInt(100),
  /** An outbox row older than this means a service's events are not reaching Kafka. */
  MONITORING_OUTBOX_MAX_AGE_SECONDS: env.positiveInt(300),
  /** An instance silent for this many of its reporting intervals (VITALS_INTERVAL_MS) is gone. */
  MONITORING_INSTANCE_SILENT_INTERVALS: env.positiveInt(4),
  /** A raw topic whose rejected share over the last 24 h exceeds this raises a data-quality alert. */
  MONITORING_MAX_REJECTED_SHARE: share(0.05),
  /** Records kept with field warnings are fine one by one; a producer sending most of them so wants a look. */
  MONITORING_MAX_FIELD_WARNING_SHARE: share(0.2),
  /** A stream (new articles, reads) silent this long raises a data-quality alert: a producer stopped. */
  MONITORING_STREAM_SILENT_MINUTES: env.positiveInt(360),
  /** Hourly counters, reader-hours and articles are kept this long (the drift reference must fit in it). */
  MONITORING_RETENTION_DAYS: env.positiveInt(30),
  /** Volumes are compared with the same hours of up to this many previous days (their median). */
  MONITORING_VOLUME_BASELINE_DAYS: env.positiveInt(3),
  /** A volume below this share of its baseline raises a data-quality alert ("fewer than expected"). */
  MONITORING_VOLUME_DROP_RATIO: share(0.5),
  /** A volume above this multiple of its baseline raises a data-quality alert (a spike). */
  MONITORING_VOLUME_SPIKE_RATIO: positive(3),
});
export type MonitoringConfig = z.infer<typeof configSchema>;
