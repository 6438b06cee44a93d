import { describeServiceLifecycle } from '@newsroom/testing';

describeServiceLifecycle('registry', 'registry');
