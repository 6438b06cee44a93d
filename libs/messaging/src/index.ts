export * from './consumer-runner';
export * from './event-publisher';
export * from './kafka-client';
export * from './kafka-transport';
export * from './message';
export * from './messaging-config';
export * from './messaging.module';
export * from './topic-admin';
