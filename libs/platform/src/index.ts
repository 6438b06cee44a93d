export * from './platform.module';
export * from './run-service';
export * from './service-config';
export * from './auth';
export * from './periodic-task';
export * from './artifact-store.provider';
export * from './cron-schedule';
export * from './parse-body';
