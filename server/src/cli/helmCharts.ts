/** --helm-render: the Helm charts among the files a check reads, rendered with helm, for both kinds of check. */
import type { ParsedFile } from '../core/parse/parseFile';
import { planChartRenders } from '../core/sources/chartRender';
import { HelmRenderer } from '../host/helm';

/**
 * The Helm charts among the parsed files rendered with helm (--helm-render), as pseudo-files for the analysis, and
 * what went wrong, for stderr. A chart that helm cannot render stays unverified.
 */
export async function renderCharts(parsed: readonly ParsedFile[], helm: { path: string }): Promise<{ files: ParsedFile[]; stderr: string }> {
  let stderr = '';
  const renderer = new HelmRenderer((level, message) => {
    if (level === 'warn') stderr += `route-doctor: ${message}\n`;
  });
  const results = await renderer.renderAll(planChartRenders(parsed), { path: helm.path, pathHint: 'pass --helm-path' });
  return { files: [...results.values()].filter((p): p is ParsedFile => p !== undefined), stderr };
}
