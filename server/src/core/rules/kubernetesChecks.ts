import type { Check } from '../analyze';

export const kubernetesChecks: readonly Check[] = [];
