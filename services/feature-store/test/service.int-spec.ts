import { describeServiceLifecycle } from '@newsroom/testing';

describeServiceLifecycle('feature-store', 'features');
