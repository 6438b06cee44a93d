import { describeServiceLifecycle } from '@newsroom/testing';

describeServiceLifecycle('serving', 'serving');
