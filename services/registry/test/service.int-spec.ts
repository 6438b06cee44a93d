import { describeServiceLifecycle } from '@newsroom/platform/testing';

describeServiceLifecycle('registry', 'registry');
