/** Something a readiness check can ping; libs provide one per dependency (Kafka, PostgreSQL). */
export interface HealthProbe {
  ping(): Promise<void>;
}

export const KAFKA_HEALTH_PROBE = Symbol('KAFKA_HEALTH_PROBE');
export const POSTGRES_HEALTH_PROBE = Symbol('POSTGRES_HEALTH_PROBE');
/** The service's consumers: down while a handler waits for an unavailable dependency. */
export const CONSUMER_HEALTH_PROBE = Symbol('CONSUMER_HEALTH_PROBE');
