// Runs the browser flows (flows/*.mjs, in file-name order) against one running kantuta and the
// built frontend, and prints `browser: N passed, M failed`. scripts/browser-e2e.sh starts the
// server and sets the environment; see docs/frontend.md.
//
//   BROWSER_FLOWS=usuarios node run.mjs     only the flow files whose name contains "usuarios"
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { env, Api, Monitor, Context, saveArtifacts, staleNotBuiltYet, newStepState, stepProblems } from './lib/harness.mjs';
import { serveStatic } from './lib/static-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.env.BROWSER_FLOWS || '';

async function loadFlows() {
  const dir = path.join(here, 'flows');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.mjs') && f.includes(only))
    .sort();
  const flows = [];
  for (const f of files) {
    const mod = await import(path.join(dir, f));
    flows.push({ file: f, ...mod.default });
  }
  return flows;
}

function secs(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

// A promise a step left behind (a waitFor it never awaited, because it failed first) must not take
// the whole run down: it is reported with the step that is running.
let currentMonitor = null;
process.on('unhandledRejection', (e) => {
  const msg = `a promise left behind failed: ${String(e?.message || e).split('\n')[0]}`;
  if (currentMonitor) currentMonitor.problem(msg);
  else console.log(`  note: ${msg}`);
});

async function main() {
  const flows = await loadFlows();
  const total = flows.reduce((n, f) => n + f.steps.length, 0);
  let passed = 0;
  let failed = 0;
  let server;
  let browser;
  const t0 = Date.now();
  try {
    const dist = process.env.BROWSER_FRONT_DIST;
    if (!dist) throw new Error('BROWSER_FRONT_DIST is not set');
    const fu = new URL(env.front);
    server = await serveStatic(dist, fu.hostname, Number(fu.port));
    browser = await chromium.launch({
      executablePath: process.env.BROWSER_CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--disable-dev-shm-usage'],
    });
    console.log(`  chromium ${browser.version()}, frontend ${env.front}, API ${env.api}`);
    const api = new Api(env.api);

    const newContext = async () => {
      const context = await browser.newContext({
        timezoneId: 'America/La_Paz',
        locale: 'es-BO',
        viewport: { width: 1366, height: 900 },
        acceptDownloads: true,
      });
      context.setDefaultTimeout(env.timeout);
      context.setDefaultNavigationTimeout(Math.max(env.timeout, 30000));
      return context;
    };

    for (const flow of flows) {
      // The flow's pages: its own first, and any a step opens with t.openPage (another browser,
      // with its own local storage, e.g. a second cashier). All are watched during every step.
      const pages = [];
      let state = null;
      const openPage = async (label) => {
        const context = await newContext();
        const page = await context.newPage();
        const monitor = new Monitor(page, flow.name, label);
        await monitor.install();
        if (state) monitor.beginStep(state);
        pages.push({ context, page, monitor });
        return page;
      };
      const page = await openPage('');
      const monitor = pages[0].monitor;
      currentMonitor = monitor;
      const t = new Context(page, api, flow, openPage);
      let broken = null;
      for (const step of flow.steps) {
        const label = `${flow.name} › ${step.name}`;
        if (broken) {
          failed++;
          console.log(`  FAIL ${label}: not run (the earlier step "${broken}" failed)`);
          continue;
        }
        if (step.skip) {
          // Counted neither passed nor failed, and said on every run.
          console.log(`  SKIP ${label}: ${step.skip}`);
          continue;
        }
        const s0 = Date.now();
        state = newStepState(step);
        for (const p of pages) p.monitor.beginStep(state);
        let thrown = null;
        let timer;
        try {
          await Promise.race([
            step.run(t),
            new Promise((_, rej) => {
              timer = setTimeout(() => rej(new Error(`step took longer than ${secs(env.stepTimeout)}`)), env.stepTimeout);
            }),
          ]);
        } catch (e) {
          thrown = e;
        } finally {
          clearTimeout(timer);
        }
        for (const p of pages) await p.monitor.settle();
        for (const p of pages) p.monitor.endStep();
        const problems = stepProblems(state);
        state = null;
        if (thrown) problems.unshift(String(thrown.message || thrown).split('\n')[0]);
        if (problems.length === 0) {
          passed++;
          console.log(`  ok   ${label} (${secs(Date.now() - s0)})`);
        } else {
          failed++;
          broken = step.name;
          console.log(`  FAIL ${label} (${secs(Date.now() - s0)})`);
          for (const p of problems) console.log(`       - ${p}`);
          for (const p of pages) {
            const files = await saveArtifacts(p.page, p.monitor, flow.name, (p.monitor.label ? p.monitor.label + ' ' : '') + step.name);
            console.log(`       artefacts: ${files.join(', ')}`);
          }
        }
      }
      currentMonitor = null;
      for (const p of pages) await p.context.close();
    }
  } catch (e) {
    console.log(`  FAIL the suite could not run: ${e.stack || e}`);
    failed += Math.max(1, total - passed - failed);
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) server.close();
  }
  if (staleNotBuiltYet.size > 0) {
    console.log('  note: these routes are served now; delete them from e2e/browser/lib/not-built-yet.mjs:');
    for (const [route, seen] of staleNotBuiltYet) console.log(`       ${route} (answered ${seen})`);
  }
  console.log(`  (${secs(Date.now() - t0)} in the browser)`);
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

await main();
