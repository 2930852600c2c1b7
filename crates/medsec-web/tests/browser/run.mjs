// The browser test of the medsec web interface (issue 10.4): headless Chromium from
// Debian's package, driven by playwright-core. Started by crates/medsec-web/tests/browser.rs
// with a running server:
//
//   node run.mjs BASE_URL SCREENSHOT_DIR
//
// and, in the environment, MEDSEC_TEST_EMAIL, MEDSEC_TEST_PASSWORD (an admin of the
// organisation), MEDSEC_SBOM_FILE (an SBOM to upload), MEDSEC_SBOM_NAME (its name in the
// device model), MEDSEC_EVIDENCE_FILE (an evidence file), MEDSEC_RATIONALE (the triage
// rationale to record); MEDSEC_CHROMIUM overrides /usr/bin/chromium.
//
// Each step asserts on what the page shows afterwards and saves a screenshot. Any
// failure exits non-zero with the reason.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error('usage: node run.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}
const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
fs.mkdirSync(shots, { recursive: true });

// Chromium's sandbox cannot start as root; only then is it turned off.
const args = process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [];
const browser = await chromium.launch({
  executablePath: process.env.MEDSEC_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args,
});
const problems = [];
let step = 'start';
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // A CSP violation or a script error is reported on the console: none is allowed.
  // The refused login answers 401 on purpose: Chromium logs that status as an error.
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (page.url().endsWith('/login') && m.text().includes('status of 401')) return;
    problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
  // Nothing may be loaded from anywhere but the server.
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(base) && !url.startsWith('data:')) problems.push(`external request: ${url}`);
  });
  const shot = async (name) => {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
    console.log(`screenshot ${name}.png`);
  };
  const text = async (selector) => (await page.locator(selector).first().innerText()).trim();

  step = 'login page';
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login$/, 'an anonymous visit is sent to the login page');
  await page.getByLabel('E-mail').fill(env('MEDSEC_TEST_EMAIL'));
  await page.getByLabel('Password').fill('not the password at all');
  await page.getByRole('button', { name: 'Log in' }).click();
  assert.equal(await text('[role=alert]'), 'Wrong e-mail or password.');
  await shot('01-login-refused');

  step = 'login';
  await page.getByLabel('E-mail').fill(env('MEDSEC_TEST_EMAIL'));
  await page.getByLabel('Password').fill(env('MEDSEC_TEST_PASSWORD'));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`${base}/`);
  assert.equal(await text('h1'), 'Portfolio');
  const dashboard = await page.locator('main').innerText();
  assert.match(dashboard, /Halvard Vigil Patient Monitoring System/);
  const openCell = page.locator('table tbody tr').first().locator('td.num').last();
  const openBefore = Number((await openCell.innerText()).trim());
  assert.ok(openBefore > 0, `the dashboard shows open findings (got ${openBefore})`);
  assert.equal(await page.locator('table svg[role=img]').count() > 0, true, 'a trend is drawn');
  await shot('02-dashboard');

  step = 'device page';
  await page.getByRole('link', { name: '5.1', exact: true }).click();
  assert.match(await text('h1'), /Halvard Vigil Patient Monitoring System 5\.1/);
  assert.ok(await page.locator('#dfd ~ figure svg, section[aria-labelledby=dfd] svg').count() > 0, 'the data-flow diagram is shown');
  assert.ok(await page.locator('section[aria-labelledby=views] figure').count() >= 3, 'the architecture views are shown');
  const allThreats = await page.locator('#threats tbody tr').count();
  assert.ok(allThreats > 0, 'the threat table has rows');
  await shot('03-device');

  step = 'threat filter';
  await page.getByLabel('STRIDE').selectOption('spoofing');
  await page.getByRole('button', { name: 'Filter' }).click();
  assert.match(page.url(), /stride=spoofing/);
  const strideCells = await page.locator('#threats tbody tr td:nth-child(3)').allInnerTexts();
  assert.ok(strideCells.length > 0 && strideCells.length < allThreats, `the filter keeps some threats (${strideCells.length} of ${allThreats})`);
  assert.ok(strideCells.every((c) => c.trim() === 'spoofing'), 'only spoofing threats remain');
  const fmeaStride = await page.locator('#fmea tbody tr td:nth-child(3)').allInnerTexts();
  assert.ok(fmeaStride.every((c) => c.trim() === 'spoofing'), 'the FMEA rows are filtered too');
  await shot('04-device-filtered');

  step = 'SBOM upload';
  const sbomName = env('MEDSEC_SBOM_NAME');
  await page.getByLabel(/^Name/).fill(sbomName);
  await page.getByLabel('SBOM file (CycloneDX or SPDX)').setInputFiles(env('MEDSEC_SBOM_FILE'));
  await page.locator('#sbom-reason').fill('browser test: regenerated SBOM');
  await page.getByRole('button', { name: 'Upload SBOM' }).click();
  assert.match(await text('[role=status]'), /The SBOM was saved/);
  const docRow = page.locator('table tbody tr', { has: page.getByRole('link', { name: sbomName, exact: true }) });
  assert.equal((await docRow.locator('td').nth(2).innerText()).trim(), '2', 'the upload is the SBOM\'s second revision');
  await shot('05-sbom-uploaded');

  step = 'findings';
  await page.getByRole('navigation', { name: 'Version' }).getByRole('link', { name: 'Findings' }).click();
  const rows = page.locator('#findings tbody tr');
  assert.ok(await rows.count() > 0, 'the findings list has rows');
  await shot('06-findings');

  step = 'triage';
  const first = rows.first();
  const vulnerability = (await first.locator('td').first().innerText()).trim();
  assert.equal((await first.locator('td').last().innerText()).trim(), 'not triaged');
  await first.getByRole('link').click();
  assert.match(await text('h1'), new RegExp(vulnerability));
  const trace = await page.locator('section[aria-labelledby=trace]').innerText();
  assert.match(trace, /element\(s\)/, 'the traceability chain is shown');
  await page.getByLabel('VEX state').selectOption('not_affected');
  await page.getByLabel(/^Justification/).selectOption('vulnerable_code_not_in_execute_path');
  const rationale = env('MEDSEC_RATIONALE');
  await page.getByLabel('Rationale').fill(rationale);
  await page.getByRole('button', { name: 'Record decision' }).click();
  assert.match(await text('[role=status]'), /The triage decision was recorded/);
  const decided = await page.locator('section[aria-labelledby=decisions] table').innerText();
  assert.match(decided, /not_affected/);
  assert.ok(decided.includes(rationale), 'the rationale is listed');
  assert.match(await page.locator('dl.facts').innerText(), /Decision in force\s+not_affected/);
  await shot('07-finding-triaged');

  step = 'test result';
  await page.getByRole('navigation', { name: 'Version' }).getByRole('link', { name: 'Test plan' }).click();
  assert.ok(await page.locator('#plan tbody tr').count() > 0, 'the test plan has tests');
  const testId = await page.getByLabel('Test', { exact: true }).inputValue();
  await page.getByLabel('Outcome').selectOption('fail');
  await page.getByLabel('Tester').fill('Browser Test');
  await page.getByLabel(/^Tools/).fill('nmap 7.94\nburp 2024.1');
  await page.getByLabel('Evidence files').setInputFiles(env('MEDSEC_EVIDENCE_FILE'));
  await page.getByRole('button', { name: 'Record result' }).click();
  assert.match(await text('[role=status]'), /The test result was recorded/);
  const evidenceName = path.basename(env('MEDSEC_EVIDENCE_FILE'));
  const resultRow = page.locator('section[aria-labelledby=results] tbody tr').last();
  const resultText = await resultRow.innerText();
  assert.ok(resultText.includes(testId) && resultText.includes('fail') && resultText.includes(evidenceName), `the result is listed: ${resultText}`);
  const planRow = await page.locator('#plan tbody tr', { hasText: testId }).first().innerText();
  assert.match(planRow, /fail/, 'the plan shows the latest result');
  await shot('08-test-result');

  step = 'evidence download';
  const href = await resultRow.getByRole('link', { name: evidenceName }).getAttribute('href');
  const evidence = await page.request.get(`${base}${href}`);
  assert.equal(evidence.status(), 200);
  assert.deepEqual(Buffer.from(await evidence.body()), fs.readFileSync(env('MEDSEC_EVIDENCE_FILE')));

  step = 'report';
  await page.getByRole('navigation', { name: 'Version' }).getByRole('link', { name: 'Report' }).click();
  await shot('09-report');
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 240000 }),
    page.getByRole('link', { name: /Report folder \(zip/ }).click(),
  ]);
  const zipPath = path.join(shots, 'report.zip');
  await download.saveAs(zipPath);
  const zip = fs.readFileSync(zipPath);
  assert.ok(zip.length > 1000 && zip.subarray(0, 2).toString() === 'PK', 'the report is a zip file');

  step = 'audit log';
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: 'Audit log' }).first().click();
  const audit = await page.locator('#audit').innerText();
  for (const kind of ['triage-decision', 'test-result', 'document']) {
    assert.ok(audit.includes(kind), `the audit log lists a ${kind} entry`);
  }
  assert.ok(audit.includes('browser test: regenerated SBOM'), 'the reason given is in the audit log');
  await shot('10-audit');

  step = 'logout';
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/login$/);
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login$/, 'after logging out the pages need a login again');
  await shot('11-logged-out');

  assert.deepEqual(problems, [], 'no console errors, CSP violations or external requests');
  console.log('browser test: every step passed');
} catch (e) {
  console.error(`browser test failed at step "${step}": ${e.stack || e}`);
  if (problems.length) console.error(problems.join('\n'));
  process.exitCode = 1;
} finally {
  await browser.close();
}
