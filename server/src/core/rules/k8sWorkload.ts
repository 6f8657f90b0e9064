/**
 * Checks on workloads themselves: a selector the API server rejects because it does not select the workload's own
 * Pod template, and probes on ports their container does not declare.
 */
import type { Check } from '../analyze';
import { probeWithMissingNamedPort } from '../k8s/endpoints';
import { formatLabels, formatRequirement } from '../k8s/labels';
import { closestMatch } from '../k8s/similar';
import { describePorts, readWorkload, selectorMatchesTemplate, workloadKinds, type ProbeKind } from '../k8s/workloads';

export const workloadSelectorMismatch: Check = {
  name: 'workload-selector-mismatch',
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'],
  run(resource, ctx) {
    const workload = readWorkload(resource);
    if (!workload) return;
    const selection = selectorMatchesTemplate(workload);
    if (selection.state !== 'mismatch') return;
    const template = workload.template!;
    const first = selection.unmet[0]!;
    const templateLabels = formatLabels(template.labels) || 'none';
    ctx.report({
      code: 'workload-selector-mismatch',
      span: first.span,
      message: `The API server rejects this ${resource.kind} ("selector does not match template labels"): spec.selector requires ${selection.unmet.map(formatRequirement).join(', ')}, but the Pod template's labels are ${templateLabels}. `
        + 'Make spec.template.metadata.labels satisfy the selector'
        + (resource.kind === 'ReplicaSet' ? ', or change the selector.' : ` (prefer changing the template: the selector of an existing ${resource.kind} cannot be changed).`),
      related: [{
        file: resource.file,
        span: template.labelsNode?.span ?? template.node.span,
        message: `The Pod template's labels: ${templateLabels}.`,
      }],
      data: {
        templateLabels: template.labels,
        unmet: selection.unmet.map((r) => ({ key: r.key, operator: r.operator, values: r.values, labels: template.labels[r.key] ?? null })),
        // The labels a fix can add to the template: those the selector pins to a single value.
        addToTemplate: Object.fromEntries(selection.unmet.filter((r) => r.operator === 'In' && r.values.length === 1).map((r) => [r.key, r.values[0]!])),
      },
    }, resource);
  },
};

const probeConsequence: Record<ProbeKind, string> = {
  readinessProbe: 'this readiness probe fails every time: the Pods never become ready, the Service gets no ready endpoints and Traefik finds no servers (404)',
  livenessProbe: 'this liveness probe fails every time and the kubelet restarts the container over and over',
  startupProbe: 'this startup probe fails every time: the kubelet restarts the container and never runs its readiness probe, so the Pods never become ready and Traefik finds no servers (404)',
};

export const probePortNotFound: Check = {
  name: 'probe-port-not-found',
  kinds: workloadKinds,
  run(resource, ctx) {
    const containers = readWorkload(resource)?.template?.containers;
    if (!containers) return;
    for (const container of containers) {
      const declared = describePorts([container]);
      const declaredText = declared.length > 0 ? `declared: ${declared.join(', ')}` : 'it declares no ports';
      for (const probe of container.probes) {
        const probeData = { container: container.name, probe: probe.probe, port: probe.port, declaredPorts: declared };
        if (probeWithMissingNamedPort(container, probe)) {
          const name = String(probe.port);
          const owner = containers.find((c) => c !== container && c.ports.some((p) => p.name === name));
          const suggestion = closestMatch(name, container.ports.flatMap((p) => (p.name ? [p.name] : [])));
          ctx.report({
            code: 'probe-port-not-found',
            span: probe.node.span,
            message: `Container ${container.name} declares no port named "${name}" (${declaredText}), so ${probeConsequence[probe.probe]}. `
              + (owner ? `Container ${owner.name} declares "${name}", but a probe only looks up names among its own container's ports. ` : '')
              + (suggestion ? `Did you mean "${suggestion}"? ` : '')
              + 'Use one of the container\'s port names, or a number.',
            data: suggestion ? { ...probeData, suggestion } : probeData,
          }, resource);
        } else if (typeof probe.port === 'number' && container.ports.length > 0 && !containers.some((c) => c.ports.some((p) => p.containerPort === probe.port))) {
          // Declared container ports are informational in Kubernetes, so a probe on another number is legal (a
          // separate health port is common): worth a note, never an error. A number probes the Pod's address, so a
          // port any container of the Pod declares is fine.
          ctx.report({
            code: 'probe-port-not-found',
            severity: 'information',
            span: probe.node.span,
            message: `This ${probe.probe} connects to port ${probe.port}, which no container of the Pod declares (container ${container.name} declares ${declared.join(', ')}). That is allowed, but if nothing listens on ${probe.port} the probe fails.`,
            data: probeData,
          }, resource);
        }
      }
    }
  },
};
