/** The registry of checks. A check is a small unit that reads one resource and reports findings with catalog codes. */
import type { Check } from '../analyze';
import { deprecatedApiGroup } from './apiGroup';

export const allChecks: readonly Check[] = [deprecatedApiGroup];
