/**
 * Custom resources whose operators create Services and Secrets that the repository never spells out, with the
 * names those operators give them. A route to `<cluster>-rw` next to a CloudNativePG Cluster is not a typo.
 */

export interface OperatorProduct {
  group: string;
  /** How messages name the operator. */
  operator: string;
  /** The objects it creates for a custom resource named `name`, in the resource's namespace. */
  creates: (name: string) => readonly { kind: string; name: string }[];
}

const services = (...names: string[]) => names.map((name) => ({ kind: 'Service', name }));
const secrets = (...names: string[]) => names.map((name) => ({ kind: 'Secret', name }));

export const operatorKinds: ReadonlyMap<string, readonly OperatorProduct[]> = new Map<string, readonly OperatorProduct[]>([
  ['Prometheus', [{ group: 'monitoring.coreos.com', operator: 'the Prometheus Operator', creates: () => services('prometheus-operated') }]],
  ['Alertmanager', [{ group: 'monitoring.coreos.com', operator: 'the Prometheus Operator', creates: () => services('alertmanager-operated') }]],
  ['Cluster', [{
    group: 'postgresql.cnpg.io', operator: 'CloudNativePG',
    creates: (n) => [...services(`${n}-rw`, `${n}-ro`, `${n}-r`), ...secrets(`${n}-app`, `${n}-superuser`, `${n}-ca`, `${n}-server`, `${n}-replication`)],
  }]],
  ['Grafana', [{ group: 'grafana.integreatly.org', operator: 'the Grafana Operator', creates: (n) => services(`${n}-service`) }]],
  ['Kafka', [{ group: 'kafka.strimzi.io', operator: 'Strimzi', creates: (n) => services(`${n}-kafka-bootstrap`, `${n}-kafka-brokers`, `${n}-kafka-external-bootstrap`) }]],
  ['Elasticsearch', [{
    group: 'elasticsearch.k8s.elastic.co', operator: 'ECK',
    creates: (n) => [...services(`${n}-es-http`, `${n}-es-transport`), ...secrets(`${n}-es-elastic-user`, `${n}-es-http-certs-public`)],
  }]],
  ['Kibana', [{ group: 'kibana.k8s.elastic.co', operator: 'ECK', creates: (n) => services(`${n}-kb-http`) }]],
]);
