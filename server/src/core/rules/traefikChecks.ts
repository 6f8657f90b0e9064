/** Traefik's CRD provider and runtime: which objects it reads, and what it does with every reference they make. */
import type { Check } from '../analyze';
import { traefikLayer4Route } from './traefikLayer4Routes';
import { traefikMiddleware, traefikServiceObject } from './traefikObjects';
import { traefikIngressRoute } from './traefikRoutes';
import { traefikTlsObjects } from './traefikTls';
import { traefikIgnoredObject } from './traefikVisibility';

export const traefikChecks: readonly Check[] = [
  traefikIgnoredObject, traefikIngressRoute, traefikLayer4Route, traefikMiddleware, traefikServiceObject, traefikTlsObjects,
];
