import { defaultRegions } from '@newsroom/contracts';

/** The synthetic world's regions: the platform's default ones. */
export const regions = defaultRegions;
export type Region = (typeof regions)[number];
