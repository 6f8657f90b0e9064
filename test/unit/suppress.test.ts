/**
 * Suppressions (core/suppress.ts): `# route-doctor-ignore` comments found by the parser, and the
 * `route-doctor.io/ignore` annotation, applied by the engine to every check's findings — on objects a kustomize
 * build makes too.
 */
import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { parseFile } from '../../server/src/core/parse/parseFile';
import { findIgnoreComments } from '../../server/src/core/suppress';
import { makeAnalysisOptions } from '../../server/src/core/model';
import { analyzeSources } from '../../server/src/core/workspace';

describe('route-doctor-ignore comments', () => {
  test('a comment line names codes for the line after it; text after the codes is free', () => {
    const text = 'a: 1\n  # route-doctor-ignore service-not-found, middleware-not-found because the chart makes them\n  b: 2\n#route-doctor-ignore: rule-syntax\nc: 3';
    const comments = findIgnoreComments(text);
    assert.deepEqual(comments.map((c) => c.codes), [['service-not-found', 'middleware-not-found'], ['rule-syntax']]);
    assert.equal(text.slice(comments[0]!.line.start, comments[0]!.line.end), '  b: 2');
    assert.equal(text.slice(comments[1]!.line.start, comments[1]!.line.end), 'c: 3');
  });

  test('only whole comment lines count, and Windows line ends are fine', () => {
    assert.deepEqual(findIgnoreComments('name: x # route-doctor-ignore service-not-found\nnext: y\n'), []);
    assert.deepEqual(findIgnoreComments('value: "route-doctor-ignore service-not-found"\nnext: y\n'), []);
    const crlf = findIgnoreComments('# route-doctor-ignore service-not-found\r\nname: x\r\n');
    assert.deepEqual(crlf.map((c) => c.codes), [['service-not-found']]);
  });

  test('the parser keeps them with the file, for the engine', () => {
    assert.equal(parseFile('x.yaml', 'kind: Service\n# route-doctor-ignore selector-no-match\napiVersion: v1\n').ignoreComments?.length, 1);
    assert.equal(parseFile('x.yaml', 'kind: Service\napiVersion: v1\n').ignoreComments, undefined);
  });
});

const route = (annotations: string) => `apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: web
  namespace: shop
${annotations}spec:
  routes:
    - match: Host(\`web\`)
      services:
        - name: web-v2
          port: 80
`;
const service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  type: ExternalName\n  externalName: web.lan\n';

describe('comments in the analysis', () => {
  const commented = (comment: string) => route('').replace('        - name: web-v2', `${comment}        - name: web-v2`);

  test('a comment with the finding\'s code silences it; one with another code does not', () => {
    const silenced = analyzeSources([{ file: 's.yaml', text: service }, { file: 'r.yaml', text: commented('        # route-doctor-ignore service-not-found\n') }], makeAnalysisOptions());
    assert.deepEqual(silenced.findings.get('r.yaml'), []);
    const other = analyzeSources([{ file: 's.yaml', text: service }, { file: 'r.yaml', text: commented('        # route-doctor-ignore service-port-not-found\n') }], makeAnalysisOptions());
    assert.deepEqual(other.findings.get('r.yaml')!.map((f) => f.code), ['service-not-found']);
  });
});

describe('the route-doctor.io/ignore annotation', () => {
  test('silences the codes it names for findings on its object, and no others', () => {
    const silenced = analyzeSources([{ file: 's.yaml', text: service }, { file: 'r.yaml', text: route('  annotations:\n    route-doctor.io/ignore: service-not-found\n') }], makeAnalysisOptions());
    assert.deepEqual(silenced.findings.get('r.yaml'), []);
    const other = analyzeSources([{ file: 's.yaml', text: service }, { file: 'r.yaml', text: route('  annotations:\n    route-doctor.io/ignore: middleware-not-found\n') }], makeAnalysisOptions());
    assert.deepEqual(other.findings.get('r.yaml')!.map((f) => f.code), ['service-not-found']);
  });

  test('works on the objects a kustomize build makes, where commonAnnotations may set it', () => {
    const files = [
      { file: 'app/kustomization.yaml', text: 'namespace: shop\ncommonAnnotations:\n  route-doctor.io/ignore: service-not-found\nresources:\n  - route.yaml\n  - service.yaml\n' },
      { file: 'app/route.yaml', text: route('') },
      { file: 'app/service.yaml', text: service },
    ];
    assert.deepEqual(analyzeSources(files, makeAnalysisOptions()).findings.get('app/route.yaml'), []);
  });
});
