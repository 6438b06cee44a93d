import { z } from 'zod';
import { eventEnvelope } from './envelope';
import * as events from './events';
import { Article, Interaction, acceptArticle, acceptInteraction } from './external';
import { Acceptance } from './lenient-record';

/**
 * Every topic of the platform, in one place: its name, the schemas of its key and value, and how
 * it is kept. Producers and consumers both take the schemas from here.
 *
 * `raw` topics carry the external contract as producers send it; every other topic carries an
 * event envelope. `compacted` topics hold the latest value per key (state any service can rebuild).
 */
export interface TopicDefinition<
  K extends z.ZodType = z.ZodType,
  V extends z.ZodType = z.ZodType,
  N extends string = string,
> {
  name: N;
  key: K;
  value: V;
  compacted: boolean;
  description: string;
  /**
   * Raw topics: how consumers accept a value (liberal about optional attributes, with warnings),
   * where `value` is the strict schema producers are held to.
   */
  accept?: (value: unknown) => Acceptance<z.output<V>>;
}

const key = (name: string) => z.string().min(1, `${name} key is required`);

function topic<N extends string, V extends z.ZodType>(
  name: N,
  keyName: string,
  value: V,
  description: string,
  compacted = false,
): TopicDefinition<z.ZodString, V, N> {
  return { name, key: key(keyName), value, compacted, description };
}

function eventTopic<T extends string, P extends z.ZodType>(
  name: T,
  keyName: string,
  payload: P,
  description: string,
  compacted = false,
) {
  return topic(name, keyName, eventEnvelope(name, payload), description, compacted);
}

export const topics = {
  articlesRaw: {
    ...topic('articles.raw', 'articleId', Article, 'Articles as producers publish them.'),
    accept: acceptArticle,
  },
  interactionsRaw: {
    ...topic('interactions.raw', 'userId', Interaction, 'Reading events as producers publish them.'),
    accept: acceptInteraction,
  },
  articlesIngested: eventTopic(
    'articles.ingested',
    'articleId',
    events.ArticleIngested,
    'Articles stored in the warehouse.',
  ),
  interactionsIngested: eventTopic(
    'interactions.ingested',
    'userId',
    events.InteractionIngested,
    'Interactions stored in the warehouse, once per eventId.',
  ),
  ingestionRejected: eventTopic(
    'ingestion.rejected',
    'sourceTopic',
    events.IngestionRejected,
    'Raw records that failed validation, with the reason and the original payload.',
  ),
  articlesFlagged: eventTopic(
    'articles.flagged',
    'articleId',
    events.ArticleFlagged,
    'Moderation decisions: an article flagged or unflagged.',
  ),
  featuresUsers: eventTopic(
    'features.users',
    'userId',
    events.UserFeatures,
    'Current features per reader.',
    true,
  ),
  featuresArticles: eventTopic(
    'features.articles',
    'articleId',
    events.ArticleFeatures,
    'Current features per article.',
    true,
  ),
  datasetSnapshotted: eventTopic(
    'dataset.snapshotted',
    'datasetId',
    events.DatasetSnapshotted,
    'An immutable training dataset written to the artifact store.',
  ),
  trainingRequested: eventTopic(
    'training.requested',
    'requestId',
    events.TrainingRequested,
    'Training asks the feature store for a fresh dataset (its schedule, a drift alert, a user request).',
  ),
  modelTrained: eventTopic(
    'model.trained',
    'modelVersion',
    events.ModelTrained,
    'A trained candidate model.',
  ),
  modelEvaluated: eventTopic(
    'model.evaluated',
    'modelVersion',
    events.ModelEvaluated,
    "The evaluation gate's decision for a candidate.",
  ),
  modelPromoted: eventTopic('model.promoted', 'modelVersion', events.ModelPromoted, 'A new champion model.'),
  modelRolledBack: eventTopic(
    'model.rolled-back',
    'modelVersion',
    events.ModelRolledBack,
    'The champion rolled back to a previous version.',
  ),
  recommendationsGenerated: eventTopic(
    'recommendations.generated',
    'userId',
    events.RecommendationsGenerated,
    'The latest top-50 list per reader.',
    true,
  ),
  recommendationsFallback: eventTopic(
    'recommendations.fallback',
    'scope',
    events.FallbackGenerated,
    'Fresh popular articles, overall and per region: what readers without a list are served.',
    true,
  ),
  scoringCompleted: eventTopic(
    'scoring.completed',
    'runId',
    events.ScoringCompleted,
    'A batch scoring run finished.',
  ),
  recommendationsServed: eventTopic(
    'recommendations.served',
    'userId',
    events.RecommendationsServed,
    'Audit log of every served response.',
  ),
  monitoringAlert: eventTopic(
    'monitoring.alert',
    'type',
    events.MonitoringAlert,
    'Alerts about data, models and pipelines.',
  ),
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
