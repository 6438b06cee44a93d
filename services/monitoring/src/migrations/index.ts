import { CreateMonitoring1733400000000 } from './1733400000000-create-monitoring';
import { CreateServedLists1733500000000 } from './1733500000000-create-served-lists';
import { CreatePipelineState1733600000000 } from './1733600000000-create-pipeline-state';
import { CreateTrainingFailures1733700000000 } from './1733700000000-create-training-failures';
import { CreateServiceVitals1733800000000 } from './1733800000000-create-service-vitals';
import { CreateAuditTrail1734600000000 } from './1734600000000-create-audit-trail';
import { CreateTakedowns1734700000000 } from './1734700000000-create-takedowns';
import { CreateReaderDataRequests1735000000000 } from './1735000000000-create-reader-data-requests';

/** Migrations of the `monitoring` schema, in order; the outbox and inbox tables come from libs/persistence. */
export const migrations = [
  CreateMonitoring1733400000000,
  CreateServedLists1733500000000,
  CreatePipelineState1733600000000,
  CreateTrainingFailures1733700000000,
  CreateServiceVitals1733800000000,
  CreateAuditTrail1734600000000,
  CreateTakedowns1734700000000,
  CreateReaderDataRequests1735000000000,
];
