import { describeServiceLifecycle } from '@newsroom/testing';

describeServiceLifecycle('training', 'training');
