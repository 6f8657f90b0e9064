/**
 * The packaged extension in a real workbench (code-server + headless Chromium), used as a user would on a trusted
 * copy of examples/go-app-404: it activates because the folder holds YAML files, squiggles the broken references,
 * lists in the Problems panel exactly what `route-doctor check` reports, and clears a problem once the user fixes
 * the manifest that causes it. The tests in this file run in order on one workbench.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { cliProblems, CodeServer, launchBrowser, tempFolder, timeoutMs, Workbench } from './workbench';

describe('trusted workspace (code-server)', { timeout: 10 * timeoutMs }, () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let workbench: Workbench | undefined;
  const folder = tempFolder({ example: 'go-app-404' });

  before(async () => {
    server = await CodeServer.start({ settings: { 'security.workspace.trust.enabled': false } });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  /** The workbench opened by the first test; the later tests continue in it, as a user would. */
  function current(): Workbench {
    assert.ok(workbench, 'the workbench did not open (see the first failing test)');
    return workbench;
  }

  test('activates because the folder contains YAML files, before any file is opened', async () => {
    assert.ok(server && browser);
    workbench = await Workbench.open(browser, server, folder);
    await workbench.waitForExplorer('ingressroute.yaml');
    const activation = await workbench.waitForLogLine(/_doActivateExtension route-doctor\.route-doctor\b/);
    assert.match(activation, /activationEvent: 'workspaceContains:/, `activated for another reason: ${activation}`);

    // The output channel is where users look when something seems wrong; the server logs its first indexing there.
    await workbench.runCommand('Route Doctor: Show Output');
    await workbench.page.locator('.part.panel .output-view .view-lines', { hasText: /indexed 4 files/ }).waitFor();
    await workbench.screenshot('01-activated-output');
  });

  test('squiggles the mistyped Service name and lists what the CLI reports in the Problems panel', async () => {
    const wb = current();
    await wb.openFile('ingressroute.yaml');
    await wb.waitForSquiggle('go-ap');
    await wb.screenshot('02-ingressroute-squiggles');

    const expected = cliProblems(folder);
    assert.ok(expected.some((p) => p.code === 'service-not-found'), 'route-doctor check no longer reports the mistyped Service name');
    await wb.openProblems();
    await wb.waitForProblems(expected);
    assert.equal(await wb.problemsBadge(), expected.length, 'the Problems badge counts problems the panel does not list');
    await wb.screenshot('03-problems-panel');
  });

  test('fixing the Service selector and saving clears service-no-endpoints in ingressroute.yaml', async () => {
    const wb = current();
    assert.ok(cliProblems(folder).some((p) => p.code === 'service-no-endpoints'), 'the example must start with service-no-endpoints');
    await wb.openFile('service.yaml');
    // Click at the end of the selector's `version: v1` line and type, as a user fixes it.
    await wb.page.locator('.editor-group-container.active .view-line', { hasText: /version:\s+v1$/ }).click();
    await wb.page.keyboard.press('End');
    await wb.page.keyboard.type('.2');
    await wb.page.keyboard.press('Control+S');
    await wb.page.locator('.editor-group-container.active .tab.active:not(.dirty)', { hasText: 'service.yaml' }).waitFor();
    assert.match(readFileSync(join(folder, 'service.yaml'), 'utf8'), /version: v1\.2\n/);

    const expected = cliProblems(folder);
    assert.ok(!expected.some((p) => p.code === 'service-no-endpoints'), 'route-doctor check still reports service-no-endpoints after the fix');
    await wb.waitForProblems(expected);

    await wb.openFile('ingressroute.yaml');
    await wb.waitForSquiggle('go-ap');
    await wb.waitForSquiggle('go-app', false);
    await wb.screenshot('04-after-fix');
  });

  test('a folder without YAML files does not activate the extension', async () => {
    assert.ok(server && browser);
    const plain = tempFolder({ files: { 'README.md': '# Not a Kubernetes project\n' } });
    try {
      const wb = await Workbench.open(browser, server, plain);
      await wb.waitForExplorer('README.md');
      // Extensions activated by workspaceContains are activated before the host reports the eager ones done.
      await wb.waitForLogLine(/Eager extensions activated/);
      assert.doesNotMatch(wb.extensionHostLog(), /route-doctor\.route-doctor/);
      await wb.close();
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
