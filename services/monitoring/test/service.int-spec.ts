import { describeServiceLifecycle } from '@newsroom/testing';

describeServiceLifecycle('monitoring', 'monitoring');
