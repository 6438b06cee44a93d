import { z } from 'zod';
import { eventEnvelope } from './envelope';
import * as events from './events';
import { Article, Interaction, acceptArticle, acceptInteraction } from './external';
import { Acceptance } from './lenient-record';

/**
 * The platform's services, in the order of the pipeline: each is a directory under services/ and
 * talks to the others only through Kafka.
 */
export const serviceNames = [
  'ingestion',
  'feature-store',
  'training',
  'evaluation',
  'registry',
  'batch-scoring',
  'serving',
  'monitoring',
] as const;
export type ServiceName = (typeof serviceNames)[number];

/**
 * Who produces the raw topics from outside the platform: the newsroom's own systems, publishing the
 * external contract. In this repository the data generator (`npm run datagen`, `npm run
 * import:mind`) and the benchmarks stand in for them.
 */
export const externalProducer = 'news producers';
/**
 * Topics every service publishes through libs/platform rather than its own code (its vitals): the
 * catalog test finds their site in the platform.
 */
export const everyService = 'every service';
export type TopicProducer = ServiceName | typeof externalProducer | typeof everyService;

/**
 * Every topic of the platform, in one place: its name, the schemas of its key and value, how it is
 * kept, and who publishes and who consumes it. Producers and consumers both take the schemas from
 * here; the README's topic table and flow diagram are generated from it (`npm run docs:topics`).
 *
 * `raw` topics carry the external contract as producers send it; every other topic carries an
 * event envelope. `compacted` topics hold the latest value per key (state any service can rebuild).
 *
 * `producers` and `consumers` are the event map, and it is code: a test
 * (tools/architecture/src/topic-catalog.spec.ts) finds every publishing site (outbox `enqueue`,
 * `EventPublisher.publish`/`publishSerialized`) and consuming site (`@ConsumeTopic`,
 * `@ConsumeTopicBatch`) under services/<name>/src and fails on any site missing here and on any
 * service named here without a site. Tools are not listed: the benchmarks stand in for services to
 * measure one alone, and `ops dlq replay` re-sends what a listed producer sent.
 */
export interface TopicDefinition<
  K extends z.ZodType = z.ZodType,
  V extends z.ZodType = z.ZodType,
  N extends string = string,
> {
  name: N;
  key: K;
  /** The attribute the key is taken from, e.g. `articleId`. */
  keyName: string;
  /** The key as the docs describe it: `keyName`, or words when the name alone says too little. */
  keyDescription: string;
  value: V;
  compacted: boolean;
  description: string;
  /** Who publishes the topic: services, or news producers outside the platform (raw topics). */
  producers: readonly TopicProducer[];
  /** The services that consume the topic. */
  consumers: readonly ServiceName[];
  /**
   * Raw topics: how consumers accept a value (liberal about optional attributes, with warnings),
   * where `value` is the strict schema producers are held to.
   */
  accept?: (value: unknown) => Acceptance<z.output<V>>;
}

interface TopicOptions {
  /** The attribute the key is taken from. */
  key: string;
  /** How the docs describe the key, when not by its attribute's name. */
  keyDescription?: string;
  description: string;
  producers: readonly TopicProducer[];
  consumers: readonly ServiceName[];
  compacted?: boolean;
}

const key = (name: string) => z.string().min(1, `${name} key is required`);

function topic<N extends string, V extends z.ZodType>(
  name: N,
  value: V,
  options: TopicOptions,
): TopicDefinition<z.ZodString, V, N> {
  return {
    name,
    key: key(options.key),
    keyName: options.key,
    keyDescription: options.keyDescription ?? options.key,
    value,
    compacted: options.compacted ?? false,
    description: options.description,
    producers: options.producers,
    consumers: options.consumers,
  };
}

function eventTopic<T extends string, P extends z.ZodType>(name: T, payload: P, options: TopicOptions) {
  return topic(name, eventEnvelope(name, payload), options);
}

export const topics = {
  articlesRaw: {
    ...topic('articles.raw', Article, {
      key: 'articleId',
      description: 'Articles as news producers publish them: the external contract.',
      producers: [externalProducer],
      consumers: ['ingestion'],
    }),
    accept: acceptArticle,
  },
  interactionsRaw: {
    ...topic('interactions.raw', Interaction, {
      key: 'userId',
      description: 'Impressions, clicks and reads as news producers publish them: the external contract.',
      producers: [externalProducer],
      consumers: ['ingestion'],
    }),
    accept: acceptInteraction,
  },
  articlesIngested: eventTopic('articles.ingested', events.ArticleIngested, {
    key: 'articleId',
    description: 'Articles stored in the warehouse, each revision once.',
    producers: ['ingestion'],
    consumers: ['feature-store', 'batch-scoring', 'monitoring'],
  }),
  interactionsIngested: eventTopic('interactions.ingested', events.InteractionIngested, {
    key: 'userId',
    description: 'Interactions stored in the warehouse, once per eventId.',
    producers: ['ingestion'],
    consumers: ['feature-store', 'monitoring'],
  }),
  ingestionRejected: eventTopic('ingestion.rejected', events.IngestionRejected, {
    key: 'sourceTopic',
    keyDescription: 'source topic',
    description: 'Raw records that failed validation, with the reason and the original payload.',
    producers: ['ingestion'],
    consumers: ['monitoring'],
  }),
  articlesFlagged: eventTopic('articles.flagged', events.ArticleFlagged, {
    key: 'articleId',
    description: "Moderation decisions from ingestion's moderation API: an article flagged or unflagged.",
    producers: ['ingestion'],
    consumers: ['feature-store', 'batch-scoring', 'serving', 'monitoring'],
  }),
  takedownConfirmed: eventTopic('articles.takedown-confirmed', events.TakedownConfirmed, {
    key: 'articleId',
    description:
      'A holder of a flagged article (the feature store, batch scoring, each serving replica) confirms it has removed it: the takedown receipt.',
    producers: ['feature-store', 'batch-scoring', 'serving'],
    consumers: ['monitoring'],
  }),
  readerDataRequested: eventTopic('readers.data-requested', events.ReaderDataRequested, {
    key: 'userId',
    description: "A reader's data asked for (export) or to be erased, from monitoring's admin API.",
    producers: ['monitoring'],
    consumers: ['ingestion', 'feature-store', 'batch-scoring', 'serving', 'monitoring'],
  }),
  readerDataConfirmed: eventTopic('readers.data-confirmed', events.ReaderDataConfirmed, {
    key: 'userId',
    description: "Each holder of a reader's data confirms an export (with its part) or an erasure: the receipt.",
    producers: ['ingestion', 'feature-store', 'batch-scoring', 'serving', 'monitoring'],
    consumers: ['monitoring'],
  }),
  featuresUsers: eventTopic('features.users', events.UserFeatures, {
    key: 'userId',
    description: 'Current features per reader.',
    producers: ['feature-store'],
    consumers: ['batch-scoring'],
    compacted: true,
  }),
  featuresArticles: eventTopic('features.articles', events.ArticleFeatures, {
    key: 'articleId',
    description: 'Current features per article.',
    producers: ['feature-store'],
    consumers: ['batch-scoring'],
    compacted: true,
  }),
  datasetSnapshotted: eventTopic('dataset.snapshotted', events.DatasetSnapshotted, {
    key: 'datasetId',
    description: 'An immutable training dataset written to the artifact store.',
    producers: ['feature-store'],
    consumers: ['training', 'registry', 'monitoring'],
  }),
  trainingRequested: eventTopic('training.requested', events.TrainingRequested, {
    key: 'requestId',
    description:
      'Training asks the feature store for a fresh dataset (its schedule, a drift alert, a request without a dataset).',
    producers: ['training'],
    consumers: ['feature-store'],
  }),
  modelTrained: eventTopic('model.trained', events.ModelTrained, {
    key: 'modelVersion',
    description: 'A trained candidate model.',
    producers: ['training'],
    consumers: ['evaluation', 'registry', 'monitoring'],
  }),
  trainingFailed: eventTopic('training.failed', events.TrainingFailed, {
    key: 'runId',
    description: 'A training run that ended without a model (training failed, or its snapshot never came).',
    producers: ['training'],
    consumers: ['monitoring'],
  }),
  modelEvaluated: eventTopic('model.evaluated', events.ModelEvaluated, {
    key: 'modelVersion',
    description: "The evaluation gate's decision for a candidate.",
    producers: ['evaluation'],
    consumers: ['registry', 'monitoring'],
  }),
  modelPromoted: eventTopic('model.promoted', events.ModelPromoted, {
    key: 'modelVersion',
    description: 'A new champion model (by evaluation, by hand, or by a rollback).',
    producers: ['registry'],
    consumers: ['training', 'evaluation', 'batch-scoring', 'serving', 'monitoring'],
  }),
  modelRolledBack: eventTopic('model.rolled-back', events.ModelRolledBack, {
    key: 'modelVersion',
    description: 'The champion rolled back to a previous version.',
    producers: ['registry'],
    consumers: ['monitoring'],
  }),
  recommendationsGenerated: eventTopic('recommendations.generated', events.RecommendationsGenerated, {
    key: 'userId',
    description: 'The latest top-50 list per reader, whole, with a revision.',
    producers: ['batch-scoring'],
    consumers: ['serving'],
    compacted: true,
  }),
  recommendationsFallback: eventTopic('recommendations.fallback', events.FallbackGenerated, {
    key: 'scope',
    keyDescription: '`all` or a region',
    description: 'Fresh popular articles, overall and per region: what readers without a list are served.',
    producers: ['batch-scoring'],
    consumers: ['serving'],
    compacted: true,
  }),
  scoringCompleted: eventTopic('scoring.completed', events.ScoringCompleted, {
    key: 'runId',
    description: 'A batch scoring run finished.',
    producers: ['batch-scoring'],
    consumers: ['monitoring'],
  }),
  recommendationsServed: eventTopic('recommendations.served', events.RecommendationsServed, {
    key: 'userId',
    description: 'Audit log of every served response.',
    producers: ['serving'],
    consumers: ['monitoring'],
  }),
  serviceVitals: eventTopic('service.vitals', events.ServiceVitals, {
    key: 'instance',
    keyDescription: 'service instance',
    description:
      "Each running service instance's requests by outcome, availability objective and outbox backlog, every 15 s and as it stops.",
    producers: [everyService],
    consumers: ['monitoring'],
  }),
  monitoringAlert: eventTopic('monitoring.alert', events.MonitoringAlert, {
    key: 'type',
    keyDescription: 'alert type',
    description:
      'Alerts about data, models and pipelines, as they fire and resolve (the feature store raises one for a snapshot its quality gate rejects); training retrains on drift.',
    producers: ['feature-store', 'monitoring'],
    consumers: ['training', 'monitoring'],
  }),
} as const;

/**
 * Where each ingested stream comes from: the raw topic ingestion validated its records from (a
 * rejected record names that topic as its source).
 */
export const rawSourceOf = {
  [topics.articlesIngested.name]: topics.articlesRaw.name,
  [topics.interactionsIngested.name]: topics.interactionsRaw.name,
} as const;

export type Topics = typeof topics;
export type TopicId = keyof Topics;
export type TopicName = Topics[TopicId]['name'];
export type TopicValue<T extends TopicDefinition> = z.infer<T['value']>;
/** The payload of an enveloped topic. */
export type TopicPayload<T extends TopicDefinition> =
  z.infer<T['value']> extends { payload: infer P } ? P : never;

export const allTopics: readonly TopicDefinition[] = Object.values(topics);

export function topicByName(name: string): TopicDefinition | undefined {
  return allTopics.find((t) => t.name === name);
}

/** Poison messages of a topic go to its dead-letter topic, named in one way everywhere. */
export function deadLetterTopicName(name: string): string {
  return `${name}.dlq`;
}
