import { describeServiceLifecycle } from '@newsroom/platform/testing';

describeServiceLifecycle('serving', 'serving');
