import { CreateServing1733000000000 } from './1733000000000-create-serving';
import { LineageAttributionsPins1734800000000 } from './1734800000000-lineage-attributions-pins';

/** Migrations of the `serving` schema, in order; the outbox and inbox tables come from libs/persistence. */
export const migrations = [CreateServing1733000000000, LineageAttributionsPins1734800000000];
