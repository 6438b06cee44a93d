import { describeServiceLifecycle } from '@newsroom/platform/testing';

describeServiceLifecycle('ingestion', 'warehouse');
