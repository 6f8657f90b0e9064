/**
 * The Kubernetes side of the chain: Service → Pods (selectors, target ports, probes), workloads' own selectors, and
 * Ingresses that Traefik's Kubernetes Ingress provider handles.
 */
import type { Check } from '../analyze';
import { ingressBackendsCheck, ingressMiddlewaresCheck, ingressTlsCheck } from './k8sIngress';
import { selectorNoMatch, targetPortNotFound } from './k8sService';
import { probePortNotFound, workloadSelectorMismatch } from './k8sWorkload';

export const kubernetesChecks: readonly Check[] = [
  selectorNoMatch, targetPortNotFound, workloadSelectorMismatch, probePortNotFound,
  ingressBackendsCheck, ingressTlsCheck, ingressMiddlewaresCheck,
];
