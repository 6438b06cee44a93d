import { describeServiceLifecycle } from '@newsroom/testing';

describeServiceLifecycle('ingestion', 'warehouse');
