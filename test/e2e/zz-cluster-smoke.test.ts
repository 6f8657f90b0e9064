// Temporary smoke check of the live-cluster client in code-server (deleted after use).
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { startScenario, tempDir } from '../cluster/scenario';
import { CodeServer, launchBrowser, tempFolder, until, Workbench } from './workbench';

test('live cluster smoke', { timeout: 900_000 }, async () => {
  const fake = await startScenario();
  const tmp = tempDir();
  process.env.KUBECONFIG = fake.writeKubeconfig(tmp.dir);
  const folder = tempFolder({ example: 'go-app-404' });
  const server = await CodeServer.start({ settings: { 'security.workspace.trust.enabled': false } });
  const browser = await launchBrowser();
  try {
    const wb = await Workbench.open(browser, server, folder);
    await wb.waitForExplorer('ingressroute.yaml');
    await wb.waitForLogLine(/_doActivateExtension route-doctor\.route-doctor\b/);
    await wb.runCommand('Route Doctor: Diagnose live cluster');
    await wb.page.locator('.tab', { hasText: 'Route Doctor: Live cluster' }).waitFor();
    const frame = wb.page.frameLocator('iframe.webview').frameLocator('iframe');
    await frame.locator('h1', { hasText: 'Live cluster' }).waitFor();
    await wb.screenshot('zz-cluster-report');
    const status = await wb.page.locator('.statusbar-item', { hasText: 'fake' }).first().textContent();
    console.log('status:', status);
    await frame.locator('button', { hasText: 'ingressroute.yaml:11' }).click();
    await wb.page.locator('.tab.active', { hasText: 'ingressroute.yaml' }).waitFor();
    await wb.screenshot('zz-cluster-opened');
    await wb.openProblems();
    await wb.page.locator('.markers-panel', { hasText: 'live-no-endpoints' }).waitFor();
    await wb.screenshot('zz-cluster-problems');
    // A fault: unknown context → one notification with Select context.
    fake.addFault({ path: '/version', status: 401 });
    await wb.runCommand('Route Doctor: Diagnose live cluster');
    const toast = wb.page.locator('.notification-toast', { hasText: 'refused the credentials' });
    await toast.waitFor();
    await wb.screenshot('zz-cluster-401');
    const toasts = await wb.page.locator('.notification-toast').count();
    console.log('toasts:', toasts, await toast.textContent());
    assert.ok(await toast.locator('a.monaco-button, .monaco-button', { hasText: 'Select context' }).count() > 0);
    await wb.page.locator('.notification-toast', { hasText: 'diagnosing the live cluster' }).waitFor({ state: 'detached', timeout: 15000 });
    console.log('progress gone');
    // Cancel from the progress notification while the API server hangs.
    fake.clearFaults();
    fake.addFault({ path: '/api/v1/namespaces/default/pods', hang: true });
    await wb.page.locator('.notification-toast .codicon-notifications-clear, .notification-toast .codicon-close').first().click().catch(() => undefined);
    await wb.runCommand('Route Doctor: Diagnose live cluster');
    const progress = wb.page.locator('.notification-toast', { hasText: 'diagnosing the live cluster' });
    await progress.waitFor();
    console.log('status during run:', await wb.page.locator('.statusbar-item', { hasText: 'fake' }).first().textContent());
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await progress.waitFor({ state: 'detached', timeout: 15000 });
    await wb.screenshot('zz-cluster-cancelled');
    console.log('status after cancel:', await wb.page.locator('.statusbar-item', { hasText: 'fake' }).first().textContent());
  } finally {
    await browser.close();
    await server.stop();
    await fake.close();
    tmp.remove();
    rmSync(folder, { recursive: true, force: true });
  }
});
