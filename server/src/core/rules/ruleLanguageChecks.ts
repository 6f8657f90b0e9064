import type { Check } from '../analyze';

export const ruleLanguageChecks: readonly Check[] = [];
