import { CreateFeatureStore1732600000000 } from './1732600000000-create-feature-store';

/** Migrations of the `features` schema, in order; the outbox and inbox tables come from libs/persistence. */
export const migrations = [CreateFeatureStore1732600000000];
