/**
 * Why a service reference's `port` matches none of the Service's ports, in the terms of the usual mistakes:
 * the targetPort or the container's port instead of the Service's port, a quoted number (which Traefik reads as
 * a port name), or a misspelt port name.
 */
import type { IndexView } from '../analyze';
import { findNamedPort, readWorkload, workloadKinds } from '../k8s/workloads';
import type { Resource } from '../model';
import { describePort, type ServicePort } from './kubernetes';
import { closestNames, didYouMean } from './names';

export function portMismatchHint(index: IndexView, service: Resource, ports: readonly ServicePort[], wanted: number | string): string {
  const usePort = (p: ServicePort) => (p.port !== undefined ? `use its port ${p.port}` : 'use its port');
  if (typeof wanted === 'number') {
    const byTarget = ports.find((p) => p.targetPort === wanted);
    if (byTarget) return `${wanted} is the targetPort of Service ${service.name}; ${usePort(byTarget)}.`;
    for (const p of ports) {
      if (typeof p.targetPort !== 'string') continue;
      if (containerPortsNamed(index, service.namespace, p.targetPort, p.protocol).includes(wanted)) {
        return `${wanted} is the containerPort behind targetPort ${p.targetPort} of Service ${service.name}; ${usePort(p)}.`;
      }
    }
  } else {
    if (/^\d+$/.test(wanted) && ports.some((p) => p.port === Number(wanted))) {
      return `A quoted "${wanted}" is looked up as a port name; write port: ${wanted} without quotes.`;
    }
    const suggestion = didYouMean(closestNames(wanted, ports.map((p) => p.name).filter((n) => n !== '')));
    if (suggestion) return suggestion;
  }
  return ports.length > 0
    ? `Service ${service.name} has the ports ${ports.map(describePort).join(', ')}.`
    : `Service ${service.name} declares no ports.`;
}

/**
 * The numbers of the container ports named `portName` in the namespace's Pod templates. All templates count, not
 * only those the selector matches: a wrong selector is a separate fault, and a named port with the very number
 * the route asks for is evidence enough of what the user meant.
 */
function containerPortsNamed(index: IndexView, namespace: string, portName: string, protocol: string): number[] {
  const numbers: number[] = [];
  for (const kind of workloadKinds) {
    for (const resource of index.inNamespace(kind, namespace)) {
      const containers = readWorkload(resource)?.template?.containers;
      const containerPort = containers && findNamedPort(containers, portName, protocol)?.port.containerPort;
      if (containerPort !== undefined) numbers.push(containerPort);
    }
  }
  return numbers;
}
