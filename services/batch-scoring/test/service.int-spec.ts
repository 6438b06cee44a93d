import { describeServiceLifecycle } from '@newsroom/platform/testing';

describeServiceLifecycle('batch-scoring', 'scoring');
