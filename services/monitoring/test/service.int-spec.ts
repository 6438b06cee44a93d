import { describeServiceLifecycle } from '@newsroom/platform/testing';

describeServiceLifecycle('monitoring', 'monitoring');
