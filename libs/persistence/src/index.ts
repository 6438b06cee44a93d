export * from './data-source';
export * from './inbox';
export * from './migrate';
export * from './outbox';
export * from './outbox-relay';
export * from './persistence-config';
export * from './persistence.module';
export * from './retention';
