// The browser suite's harness: configuration, the API client that seeds data over HTTP, the
// per-page monitor that fails a step on an unexpected 4xx/5xx, a screen error, a dialog or an
// uncaught exception, and the step context (`t`) the flows use.
//
// A flow file (flows/NN-name.mjs) exports { name, steps: [{ name, run(t), expect?, screenErrors?,
// dialogs?, skip? }] }. Each flow gets a fresh browser context (its own local storage, so its own
// session); its steps run in order on one page (plus any a step opens with t.openBrowser, watched
// alike), and after a failed step the rest of that flow are reported as not run. `skip: 'reason'`
// reports the step as SKIP with the reason and counts it neither passed nor failed.
//
// What a step may declare (everything else that looks like a failure fails it):
//   expect:       ['POST /auth/login 401', …]  API answers with status ≥ 400 the step allows; each
//                 must also happen during the step. 2xx/3xx need no declaration.
//   screenErrors: [/texto/, { match: /texto/, optional: true }, …]  error boxes the screen must
//                 show (a bare RegExp) or may show (optional).
//   dialogs:      [{ match: /texto/, accept: true, promptText: '…' }]  window.alert/confirm/prompt
//                 the step expects, and how to answer them. An undeclared dialog is dismissed and
//                 fails the step.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { NOT_BUILT_YET } from './not-built-yet.mjs';
import { EVERYDAY_ANSWERS } from './everyday-answers.mjs';

export const env = {
  api: requireEnv('BROWSER_API_URL').replace(/\/$/, ''),
  front: requireEnv('BROWSER_FRONT_URL').replace(/\/$/, ''),
  adminEmail: process.env.BROWSER_ADMIN_EMAIL || 'admin@kantuta.local',
  adminPassword: requireEnv('BROWSER_ADMIN_PASSWORD'),
  artifacts: process.env.BROWSER_ARTIFACTS || path.resolve('browser-artifacts'),
  db: process.env.BROWSER_DB || 'sqlite',
  // The server's standard output: with MAIL_BACKEND=console, the mails it sends.
  serverStdout: process.env.BROWSER_SERVER_STDOUT || '',
  // Generous but bounded: two shared cores, a cold browser, a React bundle of several MB.
  timeout: Number(process.env.BROWSER_TIMEOUT_MS || 20000),
  stepTimeout: Number(process.env.BROWSER_STEP_TIMEOUT_MS || 90000),
};

function requireEnv(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (scripts/browser-e2e.sh sets it)`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Routes: "METHOD /path/:param [status]".

function compileRoute(spec) {
  const parts = spec.trim().split(/\s+/);
  const [method, p, status] = parts;
  if (!method || !p || parts.length > 3) throw new Error(`bad route spec ${JSON.stringify(spec)}`);
  const escaped = p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+');
  return {
    spec: spec.trim(),
    method: method.toUpperCase(),
    re: new RegExp(`^${escaped}$`),
    status: status === undefined ? undefined : Number(status),
  };
}

const notBuiltYet = NOT_BUILT_YET.map((e) => ({ ...e, ...compileRoute(e.route) }));

const everyday = EVERYDAY_ANSWERS.map((e) => ({ ...compileRoute(e.route), ...e }));

function isEverydayAnswer(method, pathname, status, body) {
  // A body the page left unread (it navigated away first) cannot be checked; the status must do.
  const bodyOk = (e) => e.body.test(body) || body === '<body unavailable>';
  return everyday.some((e) => e.method === method && e.re.test(pathname) && e.status === status && bodyOk(e));
}

function matchNotBuiltYet(method, pathname) {
  return notBuiltYet.find((e) => e.method === method && e.re.test(pathname));
}

// Entries of NOT_BUILT_YET that answered something other than route-not-found in this run.
export const staleNotBuiltYet = new Map();

// ---------------------------------------------------------------------------------------------
// The API client: seeds and checks data over HTTP, as a script or another client would.

export class Api {
  constructor(base) {
    this.base = base;
    this.tokens = new Map();
  }

  async request(method, p, { token, body } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(this.base + p, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(env.timeout),
    });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  // request, and throw unless the status is the one wanted.
  async must(want, method, p, opts) {
    const r = await this.request(method, p, opts);
    if (r.status !== want) {
      throw new Error(`API ${method} ${p}: got ${r.status}, want ${want}: ${r.text.slice(0, 300)}`);
    }
    return r.json;
  }

  async login(email, password) {
    const key = `${email}\n${password}`;
    if (!this.tokens.has(key)) {
      const d = await this.must(201, 'POST', '/auth/login', { body: { email, password } });
      this.tokens.set(key, d);
    }
    return this.tokens.get(key);
  }

  async adminToken() {
    return (await this.login(env.adminEmail, env.adminPassword)).access_token;
  }

  // An admin GET of a wrapped or bare resource ({status, message, data} or the bare object).
  async adminGet(p) {
    const d = await this.must(200, 'GET', p, { token: await this.adminToken() });
    return d && typeof d === 'object' && 'data' in d && 'status' in d ? d.data : d;
  }
}

// ---------------------------------------------------------------------------------------------
// The monitor: watches one page for the whole flow; a step reads what happened during it.

// Error boxes of the frontend, as its source renders them. Add here when a screen shows errors in
// a way not yet covered.
const SCREEN_ERROR_SELECTORS = [
  '.bg-error-50', // <Alert variant="error"> and the sign-in form's error box
  '.bg-warning-50', // <Alert variant="warning"> (a 409 on a register/edit form: "… ya existe …")
  '.swal2-popup .swal2-icon.swal2-error', // SweetAlert2 error popups
  '.swal2-popup .swal2-icon.swal2-warning', // SweetAlert2 warnings (duplicates, insufficient funds)
  '[style*="rgb(239, 68, 68)"]', // react-hot-toast errors (useRecargasAlerts: background #ef4444)
];

// Runs in the page before any of its scripts: reports every error box that becomes visible.
function installScreenErrorObserver(selectors) {
  const seen = new WeakSet();
  const scan = () => {
    for (const sel of selectors) {
      for (const el of document.querySelectorAll(sel)) {
        if (seen.has(el) || el.getClientRects().length === 0) continue;
        const box = el.closest('.swal2-popup') || el;
        const text = (box.innerText || box.textContent || '').replace(/\s+/g, ' ').trim();
        if (!text) continue; // not rendered yet; a later mutation fills it
        seen.add(el);
        window.__kantutaScreenError(text);
      }
    }
  };
  const start = () => {
    new MutationObserver(scan).observe(document.documentElement, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['class', 'style'],
    });
    scan();
  };
  if (document.documentElement) start();
  else document.addEventListener('DOMContentLoaded', start);
}

export class Monitor {
  constructor(page, flowName, label = '') {
    this.page = page;
    this.flowName = flowName;
    this.label = label; // '' for the flow's first page; a name for the others
    this.who = label ? `[${label}] ` : '';
    this.step = null;
    this.inflight = new Set();
    this.pending = [];
    this.lastActivity = Date.now();
    this.consoleLines = [];
    this.networkLines = [];
    this.apiOrigin = new URL(env.api).origin;

    page.on('request', (req) => this.onRequest(req));
    page.on('requestfinished', (req) => this.done(req));
    page.on('requestfailed', (req) => this.onRequestFailed(req));
    page.on('response', (res) => this.pending.push(this.onResponse(res)));
    page.on('console', (msg) => this.onConsole(msg));
    page.on('pageerror', (err) => this.problem(`uncaught exception in the page: ${err.message}`));
    page.on('dialog', (d) => this.pending.push(this.onDialog(d)));
    // The page's WebSockets (socket.io upgrades from polling): what t.waitForSocketUpgrade reads.
    page.__kantutaSockets = [];
    page.on('websocket', (ws) => {
      const rec = { url: ws.url(), framesReceived: 0, closed: false, error: null };
      page.__kantutaSockets.push(rec);
      this.networkLines.push(`${this.stamp()} WebSocket ${new URL(ws.url()).pathname}${new URL(ws.url()).search}`);
      ws.on('framereceived', () => rec.framesReceived++);
      ws.on('socketerror', (e) => { rec.error = String(e); });
      ws.on('close', () => { rec.closed = true; });
    });
  }

  async install() {
    await this.page.exposeBinding('__kantutaScreenError', (_src, text) => this.onScreenError(text));
    await this.page.addInitScript(installScreenErrorObserver, SCREEN_ERROR_SELECTORS);
  }

  isApi(url) {
    return url.startsWith(this.apiOrigin + '/');
  }

  stamp() {
    return new Date().toISOString().slice(11, 23);
  }

  // Several monitors (one per browser page of a flow) share one step state, so that an
  // expectation met in any page of the flow counts, and the step's problems are collected once.
  beginStep(state) {
    this.step = state;
    this.networkLines.push(`--- step: ${state.name}`);
    this.consoleLines.push(`--- step: ${state.name}`);
  }

  problem(msg) {
    if (this.label && !msg.startsWith(this.who)) msg = this.who + msg;
    if (this.step) this.step.problems.push(msg);
    else this.orphans = [...(this.orphans || []), msg];
  }

  onRequest(req) {
    if (!this.isApi(req.url())) return;
    req.__step = this.step;
    // socket.io long-polls by design; waiting for it to finish would wait for ever.
    if (!new URL(req.url()).pathname.startsWith('/socket.io/')) this.inflight.add(req);
    this.lastActivity = Date.now();
  }

  done(req) {
    if (this.inflight.delete(req)) this.lastActivity = Date.now();
  }

  onRequestFailed(req) {
    this.done(req);
    if (!this.isApi(req.url())) return;
    const err = req.failure()?.errorText || 'failed';
    const u = new URL(req.url());
    this.networkLines.push(`${this.stamp()} ${req.method()} ${u.pathname}${u.search} → ${err}`);
    // ERR_ABORTED: the page navigated away (e.g. the full reload of sign-out) mid-request.
    if (err.includes('ERR_ABORTED')) return;
    this.problem(`API request failed in the browser (CORS? server down?): ${req.method()} ${u.pathname}: ${err}`);
  }

  async onResponse(res) {
    const req = res.request();
    if (!this.isApi(req.url())) return;
    const u = new URL(req.url());
    const method = req.method();
    const status = res.status();
    const step = req.__step || this.step;
    let body = '';
    if (status >= 400) {
      try {
        body = (await res.text()).trim();
      } catch {
        body = '<body unavailable>';
      }
    }
    this.networkLines.push(
      `${this.stamp()} ${method} ${u.pathname}${u.search} → ${status}${body ? ' ' + body.slice(0, 300) : ''}`,
    );
    const routeNotFound = status === 404 && (/"message"\s*:\s*"Cannot /.test(body) || body === '<body unavailable>');
    const nby = matchNotBuiltYet(method, u.pathname);
    if (nby && !routeNotFound) staleNotBuiltYet.set(nby.route, `${status} on ${method} ${u.pathname}`);
    if (status < 400) return;
    if (step) {
      const exp = step.expect.find((e) => e.method === method && e.re.test(u.pathname) && e.status === status);
      if (exp) {
        exp.seen++;
        return;
      }
    }
    if (nby && routeNotFound) return;
    if (isEverydayAnswer(method, u.pathname, status, body)) return;
    const msg = `${this.who}unexpected ${status} from ${method} ${u.pathname}: ${body.slice(0, 200)}`;
    if (step && step !== this.step) this.problem(`${msg} (request made during the step "${step.name}")`);
    else this.problem(msg);
  }

  onConsole(msg) {
    const loc = msg.location();
    const where = loc?.url ? ` (${loc.url.replace(env.front, '')}:${loc.lineNumber})` : '';
    this.consoleLines.push(`${this.stamp()} [${msg.type()}] ${msg.text()}${where}`);
    if (msg.type() === 'error' && /CORS policy/i.test(msg.text())) {
      this.problem(`CORS refused a call: ${msg.text().slice(0, 300)}`);
    }
  }

  async onDialog(dialog) {
    const text = dialog.message();
    this.consoleLines.push(`${this.stamp()} [dialog ${dialog.type()}] ${text}`);
    const d = this.step?.dialogs.find((x) => x.match.test(text));
    if (!d) {
      this.problem(`unexpected ${dialog.type()} dialog: ${text}`);
      await dialog.dismiss().catch(() => {});
      return;
    }
    d.seen++;
    if (d.accept === false) await dialog.dismiss().catch(() => {});
    else await dialog.accept(d.promptText).catch(() => {});
  }

  onScreenError(text) {
    this.consoleLines.push(`${this.stamp()} [screen error] ${text}`);
    const e = this.step?.screenErrors.find((x) => x.re.test(text));
    if (e) e.seen++;
    else this.problem(`the screen shows an error: ${text.slice(0, 300)}`);
  }

  // Waits until no API call (socket.io aside) has been in flight for `quietMs`, bounded.
  async settle(quietMs = 300, maxMs = 10000) {
    const until = Date.now() + maxMs;
    while (Date.now() < until) {
      if (this.inflight.size === 0 && Date.now() - this.lastActivity >= quietMs) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const p = this.pending;
    this.pending = [];
    await Promise.allSettled(p);
  }

  endStep() {
    this.step = null;
  }
}

// What a step declared, and what happened during it, shared by the flow's monitors.
export function newStepState(step) {
  return {
    name: step.name,
    problems: [],
    expect: (step.expect || []).map((s) => ({ ...compileRoute(s), seen: 0 })),
    screenErrors: (step.screenErrors || []).map((e) =>
      e instanceof RegExp ? { re: e, seen: 0 } : { re: e.match, optional: !!e.optional, seen: 0 },
    ),
    dialogs: (step.dialogs || []).map((d) => ({ ...d, seen: 0 })),
  };
}

// The step's problems, with what it declared but did not happen.
export function stepProblems(s) {
  for (const e of s.expect) if (!e.seen) s.problems.push(`expected ${e.spec} did not happen`);
  for (const e of s.screenErrors) if (!e.seen && !e.optional) s.problems.push(`expected screen error ${e.re} was not shown`);
  for (const d of s.dialogs) if (!d.seen) s.problems.push(`expected dialog ${d.match} did not open`);
  // The same problem every second (a polling client) is one problem, counted.
  const counts = new Map();
  for (const p of s.problems) counts.set(p, (counts.get(p) || 0) + 1);
  return [...counts].map(([p, n]) => (n > 1 ? `${p} (×${n})` : p));
}

// ---------------------------------------------------------------------------------------------
// The step context: what a flow's steps get as `t`.

export class Context {
  constructor(page, api, flow, openPage) {
    this.page = page;
    this.api = api;
    this.env = env;
    this.flow = flow;
    this.state = {}; // shared between the steps of one flow
    this._openPage = openPage;
  }

  // Another browser (a fresh context: its own local storage, so its own session) for a second
  // person; its page is watched like the first. Returns a context like `t` for that page.
  async openBrowser(label) {
    const page = await this._openPage(label);
    const c = new Context(page, this.api, this.flow, this._openPage);
    c.state = this.state;
    return c;
  }

  // Clicks something that downloads a file (the frontend builds PDFs in the page and clicks a
  // blob: link) and returns { name, bytes, text }: text is pdftotext's reading of a PDF. The file
  // is kept in the artefacts directory.
  async download(click, { timeout = 60000 } = {}) {
    const [d] = await Promise.all([this.page.waitForEvent('download', { timeout }), click()]);
    const name = d.suggestedFilename();
    const dir = path.join(env.artifacts, env.db, 'downloads');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    await d.saveAs(file);
    const bytes = fs.readFileSync(file);
    let text = '';
    if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
      text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    }
    return { name, bytes, text, file };
  }

  // Checks a downloaded PDF: its name, its magic, and that its text holds each of `texts`
  // (strings or RegExps; whitespace runs in the PDF count as one space).
  checkPdf(dl, name, texts = []) {
    if (name instanceof RegExp ? !name.test(dl.name) : dl.name !== name) {
      throw new Error(`downloaded file name: got ${JSON.stringify(dl.name)}, want ${name}`);
    }
    this.eq(dl.bytes.subarray(0, 5).toString('latin1'), '%PDF-', `${dl.name}: first bytes`);
    const flat = dl.text.replace(/\s+/g, ' ');
    for (const want of texts) {
      const ok = want instanceof RegExp ? want.test(flat) : flat.includes(want);
      if (!ok) throw new Error(`${dl.name} lacks ${want} (its text: ${flat.slice(0, 600)})`);
    }
  }

  // Waits until the page's socket.io client has upgraded to a WebSocket on the API
  // (/socket.io/?EIO=4&transport=websocket: the server answered 101) and receives frames on it.
  async waitForSocketUpgrade(timeout = env.timeout) {
    const until = Date.now() + timeout;
    const api = new URL(env.api);
    for (;;) {
      const ws = (this.page.__kantutaSockets || []).find((w) => {
        const u = new URL(w.url);
        return u.host === api.host && u.pathname === '/socket.io/' && u.searchParams.get('transport') === 'websocket';
      });
      if (ws && ws.framesReceived > 0 && !ws.closed && !ws.error) return ws;
      if (Date.now() >= until) {
        throw new Error(`no upgraded socket.io WebSocket after ${timeout} ms: ${JSON.stringify(this.page.__kantutaSockets)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // The mails the server has written so far (MAIL_BACKEND=console) whose subject is `subject`.
  mailsWithSubject(subject) {
    if (!env.serverStdout) throw new Error('BROWSER_SERVER_STDOUT is not set (scripts/browser-e2e.sh sets it)');
    const out = fs.readFileSync(env.serverStdout, 'utf8');
    return out.split('\n').filter((l) => l === `Subject: ${subject}`).length;
  }

  // Waits until exactly `n` such mails were written (the outbox sends after the commit), then
  // checks for a while that no more follow.
  async waitForMails(subject, n, { timeout = env.timeout, quietMs = 1500 } = {}) {
    const until = Date.now() + timeout;
    let got = this.mailsWithSubject(subject);
    while (got < n && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      got = this.mailsWithSubject(subject);
    }
    await new Promise((r) => setTimeout(r, quietMs));
    got = this.mailsWithSubject(subject);
    this.eq(got, n, `mails "${subject}"`);
  }

  // The header pill's figure ("Caja Activa: Bs. 129.00"), or null when the pill is not shown.
  async headerBalance() {
    const pill = this.page.locator('header').getByText(/^Caja Activa: Bs\. /);
    if ((await pill.count()) === 0) return null;
    return (await pill.first().innerText()).replace('Caja Activa: Bs. ', '').trim();
  }

  // Waits until the header pill shows `want` ("129.00"), or is gone (null).
  async waitForHeaderBalance(want, timeout = env.timeout) {
    const until = Date.now() + timeout;
    let last;
    for (;;) {
      last = await this.headerBalance();
      if (last === want) return;
      if (Date.now() >= until) throw new Error(`header balance: got ${JSON.stringify(last)}, want ${JSON.stringify(want)} after ${timeout} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // Signs out locally (what "Cerrar sesión" does) and in again as someone else.
  // The storage is cleared from a static file of the same origin, where no app code runs (on an
  // app page, its pending calls would go out without a token and get 401s).
  async switchUser(email, password) {
    await this.goto('/favicon.png');
    await this.page.evaluate(() => window.localStorage.clear());
    await this.signIn(email, password);
  }

  url(p) {
    return env.front + p;
  }

  async goto(p) {
    await this.page.goto(this.url(p), { waitUntil: 'domcontentloaded' });
  }

  // Waits for the app's path (exact string or RegExp).
  async waitForPath(want, timeout = env.timeout) {
    await this.page.waitForURL(
      (u) => (want instanceof RegExp ? want.test(u.pathname) : u.pathname === want),
      { timeout },
    );
  }

  path() {
    return new URL(this.page.url()).pathname;
  }

  // Waits until `text` (string: substring, or RegExp) is visible somewhere on the page.
  async see(text, { timeout = env.timeout, exact = false } = {}) {
    await this.page.getByText(text, { exact }).first().waitFor({ state: 'visible', timeout });
  }

  async notSee(text, { timeout = env.timeout } = {}) {
    await this.page.getByText(text).first().waitFor({ state: 'hidden', timeout });
  }

  // The <input>/<select> that follows a visible <label> with this text (the frontend's forms put
  // the control right after the label, mostly without for/id).
  field(label, { tag = 'input' } = {}) {
    const lbl = this.page.locator('label', { hasText: label }).first();
    return lbl.locator(`xpath=following::${tag}[1]`);
  }

  // Waits until an input's value satisfies `want` (a value, or a predicate; default: not empty),
  // polling through the locator so that a re-rendered input is found again.
  async waitForValue(locator, want = (v) => v !== '', timeout = env.timeout) {
    const ok = typeof want === 'function' ? want : (v) => v === want;
    const until = Date.now() + timeout;
    let last;
    for (;;) {
      last = await locator.inputValue({ timeout: Math.max(1, until - Date.now()) }).catch(() => undefined);
      if (last !== undefined && ok(last)) return last;
      if (Date.now() >= until) throw new Error(`input value ${JSON.stringify(last)} after ${timeout} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async localStorage(key) {
    return this.page.evaluate((k) => window.localStorage.getItem(k), key);
  }

  // Signs in through the sign-in screen and waits for the app to leave it.
  async signIn(email = env.adminEmail, password = env.adminPassword) {
    await this.goto('/signin');
    await this.page.getByPlaceholder('Ingrese su correo').fill(email);
    await this.page.getByPlaceholder('Introduce tu contraseña').fill(password);
    await this.page.getByRole('button', { name: 'Iniciar sesión' }).click();
    await this.waitForPath('/');
  }

  check(cond, msg) {
    if (!cond) throw new Error(msg);
  }

  eq(got, want, what) {
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    }
  }
}

// Artefacts of a failed step: a full-page screenshot, the page's console and its API calls.
export async function saveArtifacts(page, monitor, flowName, stepName) {
  const dir = path.join(env.artifacts, env.db);
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${slug(flowName)}--${slug(stepName)}`);
  const files = [];
  try {
    await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 15000 });
    files.push(`${base}.png`);
  } catch (e) {
    fs.writeFileSync(`${base}.screenshot-error.txt`, String(e));
  }
  fs.writeFileSync(`${base}.console.log`, `page: ${page.url()}\n` + monitor.consoleLines.join('\n') + '\n');
  fs.writeFileSync(`${base}.network.log`, monitor.networkLines.join('\n') + '\n');
  files.push(`${base}.console.log`, `${base}.network.log`);
  return files;
}

function slug(s) {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}
