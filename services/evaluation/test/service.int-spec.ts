import { describeServiceLifecycle } from '@newsroom/platform/testing';

describeServiceLifecycle('evaluation', 'evaluation');
