/** Something a readiness check can ping; libs provide one per dependency (Kafka, PostgreSQL). */
export interface HealthProbe {
  ping(): Promise<void>;
}

export const KAFKA_HEALTH_PROBE = Symbol('KAFKA_HEALTH_PROBE');
export const POSTGRES_HEALTH_PROBE = Symbol('POSTGRES_HEALTH_PROBE');
