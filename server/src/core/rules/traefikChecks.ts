import type { Check } from '../analyze';

export const traefikChecks: readonly Check[] = [];
