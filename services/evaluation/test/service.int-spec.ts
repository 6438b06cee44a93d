import { describeServiceLifecycle } from '@newsroom/testing';

describeServiceLifecycle('evaluation', 'evaluation');
