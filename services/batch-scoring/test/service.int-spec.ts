import { describeServiceLifecycle } from '@newsroom/testing';

describeServiceLifecycle('batch-scoring', 'scoring');
