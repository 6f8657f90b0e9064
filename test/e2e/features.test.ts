/**
 * The editor features beyond squiggles, used as a user would in a real workbench (code-server + headless Chromium)
 * on trusted copies of examples/go-app-404: the hover on a service reference, the quick fix that aligns the Service
 * selector with the Deployment's Pods, and the live diagnosis of a cluster (test/cluster/fakeApiServer.ts with the
 * seed scenario, reached through KUBECONFIG, which code-server's extension host inherits) with its report webview.
 * Screenshots: test-results/e2e/hover.png, quick-fix.png and live-report-vscode.png.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { FakeApiServer } from '../cluster/fakeApiServer';
import { startScenario, tempDir } from '../cluster/scenario';
import { CodeServer, launchBrowser, screenshotOnFailure, tempFolder, timeoutMs, until, Workbench } from './workbench';

describe('editor features (code-server)', { timeout: 10 * timeoutMs }, () => {
  let fake: FakeApiServer | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let workbench: Workbench | undefined;
  const kube = tempDir();
  const folder = tempFolder({ example: 'go-app-404' });

  before(async () => {
    fake = await startScenario();
    server = await CodeServer.start({
      // The hover below the line has room for the whole chain, which the screenshot shows.
      settings: { 'security.workspace.trust.enabled': false, 'editor.hover.above': false },
      // The extension host inherits code-server's environment: KUBECONFIG is how it finds the (fake) cluster.
      env: { KUBECONFIG: fake.writeKubeconfig(kube.dir) },
    });
    browser = await launchBrowser();
    workbench = await Workbench.open(browser, server, folder);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await fake?.close();
    kube.remove();
    rmSync(folder, { recursive: true, force: true });
  });

  /** A test in the shared window, with a screenshot of the window when the test fails. */
  function uiTest(name: string, body: (wb: Workbench) => Promise<void>): void {
    test(name, () => screenshotOnFailure(name, () => workbench, async () => {
      assert.ok(workbench, 'the workbench did not open (see the failing before hook)');
      await body(workbench);
    }));
  }

  uiTest('hovering the service name shows the Service, its ports and the Deployment it should select', async (wb) => {
    await wb.openFile('ingressroute.yaml');
    // The first route's `- name: go-app` (line 14); the language server is ready once the typo is squiggled.
    await wb.waitForSquiggle('go-ap');
    const hover = wb.hoverWidget();
    // The problems under the mouse come first and name the Deployment too: wait for the extension's own part, which
    // alone says what kind of Service it is. VS Code asks for a hover once each time the mouse comes to rest; should
    // that answer not come (it came back empty in two of many CI runs), the mouse leaves and comes back, as a user's
    // would.
    const ours = hover.locator('.hover-contents', { hasText: 'ClusterIP' }).first();
    await until("the extension's hover on go-app", async () => {
      await wb.hoverText(14, 'go-app');
      const shown = await ours.waitFor({ timeout: 10_000 }).then(() => true, () => undefined);
      if (!shown) await wb.page.mouse.move(0, 0);
      return shown;
    });
    const text = await hover.innerText();
    assert.match(text, /default\/go-app/, text);
    assert.match(text, /\b80\b/, `the hover does not show the Service's port:\n${text}`);
    assert.match(text, /Deployment/, `the hover does not name the Deployment:\n${text}`);
    assert.match(text, /version/, `the hover does not show the selector mismatch:\n${text}`);
    await wb.screenshot('hover');
    await wb.page.keyboard.press('Escape');
    await hover.waitFor({ state: 'hidden' });
  });

  uiTest('the quick fix on service-no-endpoints changes the Service selector, and saving writes it', async (wb) => {
    await wb.openFile('ingressroute.yaml');
    await wb.waitForSquiggle('go-app');
    // Put the cursor on the squiggled service name of line 14 (its end) and open the light-bulb menu with Ctrl+.
    await wb.cursorToLineEnd(14);
    await wb.page.keyboard.press('Control+.');
    const title = 'Change the Service selector to match Deployment go-app';
    const entry = wb.codeAction(title);
    await entry.waitFor();
    await wb.screenshot('quick-fix');
    await wb.chooseCodeAction(title);

    // The fix edits service.yaml; the problem goes as soon as the edit is made, before it is saved.
    await wb.waitForSquiggle('go-app', false);
    await wb.waitForSquiggle('go-ap');
    await wb.openFile('service.yaml');
    await wb.save();
    const saved = join(folder, 'service.yaml');
    await until('service.yaml to be saved with the fix', () => (/version: v1\.2\n/.test(readFileSync(saved, 'utf8')) ? true : undefined));
    await wb.openProblems();
    await until('service-no-endpoints to leave the Problems panel', async () =>
      (await wb.problems()).some((p) => p.code === 'service-no-endpoints') ? undefined : true);
    await wb.closePanel();
  });

  test('Diagnose live cluster opens the report with the broken route and adds live-no-endpoints', async () => {
    // A fresh copy in its own window: the quick fix above changed the first folder's selector.
    const liveFolder = tempFolder({ example: 'go-app-404' });
    let wb: Workbench | undefined;
    try {
      await screenshotOnFailure('live-report', () => wb, async () => {
        assert.ok(server && browser);
        wb = await Workbench.open(browser, server, liveFolder);
        await wb.openFile('ingressroute.yaml');
        await wb.waitForSquiggle('go-ap');
        await wb.runCommand('Route Doctor: Diagnose live cluster');
        await wb.page.locator('.tab', { hasText: 'Route Doctor: Live cluster' }).waitFor();
        const report = wb.webview();
        const route = report.locator('article.route.broken', { hasText: 'default/go-app-route' }).first();
        await route.waitFor();
        await route.locator('.hop.broken').first().waitFor();
        const hopText = await route.locator('.hop.broken').first().innerText();
        assert.match(hopText, /broken/, hopText);
        await wb.openProblems();
        await wb.problemRow('live-no-endpoints').waitFor();
        await wb.screenshot('live-report-vscode');
      });
    } finally {
      await wb?.close();
      rmSync(liveFolder, { recursive: true, force: true });
    }
  });
});
