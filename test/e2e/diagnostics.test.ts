/**
 * The packaged extension in a real workbench (code-server + headless Chromium), used as a user would on a trusted
 * copy of examples/go-app-404: it activates because the folder holds YAML files, squiggles the broken references,
 * lists in the Problems panel exactly what `route-doctor check` reports, and clears a problem once the user fixes
 * the manifest that causes it. The tests run in order in one workbench window, each going on from the last.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertExtensionHostSuite, cliProblems, CodeServer, launchBrowser, screenshotOnFailure, tempFolder, timeoutMs, until, Workbench } from './workbench';

describe('trusted workspace (code-server)', { timeout: 10 * timeoutMs }, () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let workbench: Workbench | undefined;
  const folder = tempFolder({ example: 'go-app-404' });

  before(async () => {
    server = await CodeServer.start({
      settings: { 'security.workspace.trust.enabled': false },
      // For the last test, which runs the extension-host suite of `npm run test:vscode` in this server.
      env: { ROUTE_DOCTOR_SCENARIO: 'trusted', ROUTE_DOCTOR_NODE: process.execPath },
    });
    browser = await launchBrowser();
    workbench = await Workbench.open(browser, server, folder);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  /** A test in the shared window, with a screenshot of the window when the test fails. */
  function uiTest(name: string, body: (wb: Workbench, t: TestContext) => Promise<void>): void {
    test(name, (t) => screenshotOnFailure(name, () => workbench, async () => {
      assert.ok(workbench, 'the workbench did not open (see the failing before hook)');
      await body(workbench, t);
    }));
  }

  uiTest('activates because the folder contains YAML files, before any file is opened', async (wb, t) => {
    await wb.waitForExplorer('ingressroute.yaml');
    const activation = await wb.waitForLogLine(/_doActivateExtension route-doctor\.route-doctor\b/);
    assert.match(activation, /activationEvent: 'workspaceContains:/, `activated for another reason: ${activation}`);
    // The extension measures its own activation and logs it; the figures are reported, never held to a limit.
    const activated = await wb.waitForOutputLine('route-doctor.route-doctor', 'Route Doctor', /Activated in \d+ ms; the language server is starting\./);
    const ready = await wb.waitForOutputLine('route-doctor.route-doctor', 'Route Doctor', /Language server ready \d+ ms after activation began\./);
    const firstDiagnostics = await wb.waitForOutputLine('route-doctor.route-doctor', 'Route Doctor', /First diagnostics of the workspace \d+ ms after activation began \(4 YAML files\)\./);
    for (const line of [activated, ready, firstDiagnostics]) t.diagnostic(line.replace(/^.*?\[info\] /, ''));

    // The output channel is where users look when something seems wrong; the server logs its first indexing there.
    await wb.runCommand('Route Doctor: Show Output');
    await wb.page.locator('.part.panel .output-view .view-lines', { hasText: /indexed\s+4\s+files/ }).waitFor();
    await wb.screenshot('01-activated-output');
    await wb.closePanel();
  });

  uiTest('squiggles the mistyped Service name and lists what the CLI reports in the Problems panel', async (wb) => {
    await wb.openFile('ingressroute.yaml');
    await wb.waitForSquiggle('go-ap');
    await wb.screenshot('02-ingressroute-squiggles');

    const expected = cliProblems(folder);
    assert.ok(expected.some((p) => p.code === 'service-not-found'), 'route-doctor check no longer reports the mistyped Service name');
    await wb.openProblems();
    // Selecting the problem reveals its line in the editor, which the Problems panel otherwise covers.
    await wb.problemRow('service-not-found').click();
    await wb.waitForSquiggle('go-ap');
    await wb.screenshot('03-problems-panel');
    await wb.waitForProblems(expected);
    assert.equal(await wb.problemsBadge(), expected.length, 'the Problems badge counts problems the panel does not list');
  });

  uiTest('fixing the Service selector and saving clears service-no-endpoints in ingressroute.yaml', async (wb) => {
    assert.ok(cliProblems(folder).some((p) => p.code === 'service-no-endpoints'), 'the example must start with service-no-endpoints');
    await wb.openFile('service.yaml');
    // Click the selector's `version: v1` line, go to its end and type, as a user fixes it; then save with Ctrl+S.
    await wb.page.locator('.editor-group-container.active .view-line', { hasText: /version:\s+v1$/ }).click();
    await wb.page.keyboard.press('End');
    await wb.page.keyboard.type('.2');
    await wb.save();
    const saved = join(folder, 'service.yaml');
    await until('service.yaml to be saved with the fix', () => (/version: v1\.2\n/.test(readFileSync(saved, 'utf8')) ? true : undefined));

    const expected = cliProblems(folder);
    assert.ok(!expected.some((p) => p.code === 'service-no-endpoints'), 'route-doctor check still reports service-no-endpoints after the fix');
    await wb.waitForProblems(expected);

    await wb.openFile('ingressroute.yaml');
    await wb.waitForSquiggle('go-ap');
    await wb.waitForSquiggle('go-app', false);
    await wb.screenshot('04-after-fix');
  });

  test('a folder without YAML files does not activate the extension', async () => {
    const plain = tempFolder({ files: { 'README.md': '# Not a Kubernetes project\n' } });
    let wb: Workbench | undefined;
    try {
      await screenshotOnFailure('no-yaml', () => wb, async () => {
        assert.ok(server && browser);
        wb = await Workbench.open(browser, server, plain);
        await wb.waitForExplorer('README.md');
        // Extensions that workspaceContains activates are activated before the host reports the eager ones done.
        await wb.waitForLogLine(/Eager extensions activated/);
        // The host also lists every installed extension by id when it starts, so look for the activation line only.
        assert.match(wb.extensionHostLog(), /_doActivateExtension /);
        assert.doesNotMatch(wb.extensionHostLog(), /_doActivateExtension route-doctor\.route-doctor\b/);
      });
    } finally {
      await wb?.close();
      rmSync(plain, { recursive: true, force: true });
    }
  });

  test('the extension-host suite of npm run test:vscode passes in this extension host', async (t) => {
    assert.ok(server && browser);
    await assertExtensionHostSuite(t, browser, server, 'trusted');
  });
});
