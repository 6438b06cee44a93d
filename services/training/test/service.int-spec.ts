import { describeServiceLifecycle } from '@newsroom/platform/testing';

describeServiceLifecycle('training', 'training');
