/**
 * Workspace trust as a user meets it: the folder opens with trust enabled, the user answers the trust prompt with
 * "No", and the workbench stays in Restricted Mode. Route Doctor declares limited support for untrusted workspaces,
 * so its static checks must still squiggle the manifests and list what `route-doctor check` reports.
 */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertExtensionHostSuite, cliProblems, CodeServer, launchBrowser, screenshotOnFailure, tempFolder, timeoutMs, Workbench } from './workbench';

describe('untrusted workspace (code-server)', { timeout: 10 * timeoutMs }, () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let workbench: Workbench | undefined;
  const folder = tempFolder({ example: 'go-app-404' });

  before(async () => {
    server = await CodeServer.start({
      settings: { 'security.workspace.trust.enabled': true },
      // For the last test, which runs the extension-host suite of `npm run test:vscode` in this server.
      env: { ROUTE_DOCTOR_SCENARIO: 'untrusted', ROUTE_DOCTOR_NODE: process.execPath },
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  test('static problems are shown in Restricted Mode', () => screenshotOnFailure('untrusted', () => workbench, async () => {
    assert.ok(server && browser);
    workbench = await Workbench.open(browser, server, folder);
    const page = workbench.page;
    await page.getByRole('button', { name: "No, I don't trust the authors" }).click();
    await page.locator('.statusbar', { hasText: 'Restricted Mode' }).waitFor();
    await workbench.waitForLogLine(/_doActivateExtension route-doctor\.route-doctor\b/);

    await workbench.openFile('ingressroute.yaml');
    await workbench.waitForSquiggle('go-ap');
    await workbench.openProblems();
    await workbench.waitForProblems(cliProblems(folder));
    await workbench.screenshot('05-untrusted');
  }));

  test('the extension-host suite of npm run test:vscode passes in this extension host', async (t) => {
    assert.ok(server && browser);
    // Trust is on and nobody answers the trust prompt in this window (extension tests refuse dialogs): untrusted.
    await assertExtensionHostSuite(t, browser, server, 'untrusted');
  });
});
