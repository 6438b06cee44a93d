import { CreateFeatureStore1732600000000 } from './1732600000000-create-feature-store';
import { CreateSnapshotRequests1732700000000 } from './1732700000000-create-snapshot-requests';
import { AddLastPublishedAt1733200000000 } from './1733200000000-add-last-published-at';
import { AddWindowsStale1733300000000 } from './1733300000000-add-windows-stale';

/** Migrations of the `features` schema, in order; the outbox and inbox tables come from libs/persistence. */
export const migrations = [
  CreateFeatureStore1732600000000,
  CreateSnapshotRequests1732700000000,
  AddLastPublishedAt1733200000000,
  AddWindowsStale1733300000000,
];
