import { describeServiceLifecycle } from '@newsroom/platform/testing';

describeServiceLifecycle('feature-store', 'features');
