/**
 * The registry of checks. A check is a small unit that reads one resource and reports findings with catalog codes.
 * Each family of checks lives in its own module and exports its list here.
 */
import type { Check } from '../analyze';
import { deprecatedApiGroup } from './apiGroup';
import { kubernetesChecks } from './kubernetesChecks';
import { kustomizeChecks } from './kustomizeNameReferences';
import { ruleLanguageChecks } from './ruleLanguageChecks';
import { traefikChecks } from './traefikChecks';

export const allChecks: readonly Check[] = [deprecatedApiGroup, ...traefikChecks, ...kubernetesChecks, ...ruleLanguageChecks, ...kustomizeChecks];
