// Password reset (SPEC §5, issue 14): the frontend's "¿Olvidaste tu contraseña?" screen
// (/reset-password) posts /auth/reset/code {email}, /auth/confirm-code {email, code} (dropping the
// reset_token it gets back) and /auth/reset-confirm {email, newPassword} with no proof. The server
// accepts that last call once, from the client address that confirmed the code for that e-mail,
// within 10 minutes; anything else without a token or code stays a 400.
// The code is read from the mail the server writes to its standard output (MAIL_BACKEND=console).
import fs from 'node:fs';
import { registerUser } from '../lib/seed.mjs';

const run = Date.now().toString(36);
const CODE_SUBJECT = 'Tu código de verificación de Kantuta POS';
const CHANGED_SUBJECT = 'Tu contraseña de Kantuta POS fue cambiada';

// The console mails written so far: [{ to, subject, body }].
function consoleMails(t) {
  if (!t.env.serverStdout) throw new Error('BROWSER_SERVER_STDOUT is not set (scripts/browser-e2e.sh sets it)');
  const out = fs.readFileSync(t.env.serverStdout, 'utf8');
  const mails = [];
  const re = /^----- mail (\d+) \(console backend\) -----\nTo: .*<([^>\n]*)>\nSubject: ([^\n]*)\n\n([\s\S]*?)\n----- end of mail \1 -----$/gm;
  for (const m of out.matchAll(re)) mails.push({ to: m[2], subject: m[3], body: m[4] });
  return mails;
}

// Waits for the n-th mail with this subject to `to` and returns it.
async function waitForMailTo(t, to, subject, n = 1) {
  const until = Date.now() + t.env.timeout;
  for (;;) {
    const got = consoleMails(t).filter((m) => m.to === to && m.subject === subject);
    if (got.length >= n) return got[n - 1];
    if (Date.now() >= until) throw new Error(`no mail #${n} "${subject}" to ${to} after ${t.env.timeout} ms (got ${got.length})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export default {
  name: 'reset',
  steps: [
    {
      name: "a usuario resets a forgotten password through the frontend's three screens",
      async run(t) {
        const u = await registerUser(t.api, { email: `olvido.${run}@kantuta.bo`, nombres: 'Rosa', id_role: 3, password: 'Clave-Vieja-123' });
        t.state.u = u;
        await t.goto('/signin');
        await t.page.getByRole('link', { name: '¿Olvidaste tu contraseña?' }).click();
        await t.waitForPath('/reset-password');
        await t.see('Recuperar Contraseña');

        // 1. The code, by mail.
        await t.page.getByPlaceholder('Ingresa tu correo').fill(u.email);
        const codeRes = t.page.waitForResponse((r) => r.url().endsWith('/auth/reset/code'));
        await t.page.getByRole('button', { name: 'Enviar Código' }).click();
        t.eq((await codeRes).status(), 201, 'POST /auth/reset/code');
        await t.see('Código enviado. Por favor revisa tu correo.');
        const mail = await waitForMailTo(t, u.email, CODE_SUBJECT);
        const code = mail.body.match(/Tu código de verificación es: ([A-Z0-9]{6})\b/)?.[1];
        t.check(code, `no 6-character code in the mail: ${mail.body.slice(0, 300)}`);

        // 2. The code, confirmed (the answer's reset_token is dropped by the frontend).
        await t.page.getByPlaceholder('Ingresa el código enviado a tu correo').fill(code);
        const confirmRes = t.page.waitForResponse((r) => r.url().endsWith('/auth/confirm-code'));
        await t.page.getByRole('button', { name: 'Verificar Código' }).click();
        const cr = await confirmRes;
        t.eq(cr.status(), 201, 'POST /auth/confirm-code');
        t.eq(cr.request().postDataJSON(), { email: u.email, code }, 'POST /auth/confirm-code body');
        await t.see('Código verificado correctamente. Ingresa tu nueva contraseña.');

        // 3. The new password, with neither reset_token nor code.
        await t.page.getByPlaceholder('Ingresa tu nueva contraseña').fill('Clave-Nueva-456');
        const resetRes = t.page.waitForResponse((r) => r.url().endsWith('/auth/reset-confirm'));
        await t.page.getByRole('button', { name: 'Guardar Contraseña' }).click();
        const rr = await resetRes;
        t.eq(rr.request().postDataJSON(), { email: u.email, newPassword: 'Clave-Nueva-456' }, 'POST /auth/reset-confirm body');
        t.eq(rr.status(), 201, 'POST /auth/reset-confirm');
        t.eq((await rr.json()).message, 'Contraseña actualizada correctamente', 'reset-confirm message');
        await t.see('Contraseña actualizada exitosamente.');
        // The screen goes back to the sign-in page by itself (after 2 s).
        await t.waitForPath('/signin');
        await waitForMailTo(t, u.email, CHANGED_SUBJECT);

        // The old password and the session it opened are gone.
        const old = await t.api.request('POST', '/auth/login', { body: { email: u.email, password: 'Clave-Vieja-123' } });
        t.eq([old.status, old.json?.message], [401, 'Credenciales inválidas'], 'login with the old password');
        const oldSession = await t.api.request('GET', `/cajas/sesion-activa/${u.id}`, { token: u.token });
        t.eq(oldSession.status, 401, 'a request with the token from before the reset');
      },
    },
    {
      name: 'the usuario signs in with the new password through the sign-in screen',
      async run(t) {
        const u = t.state.u;
        await t.signIn(u.email, 'Clave-Nueva-456');
        const stored = JSON.parse(await t.localStorage('user'));
        t.eq([stored.email, stored.role?.nombre], [u.email, 'Usuario'], 'stored user');
      },
    },
    {
      name: 'without a confirmed code, a bare reset-confirm is refused (another e-mail, or the same one again)',
      async run(t) {
        const u = t.state.u;
        const other = await registerUser(t.api, { email: `sin.confirmar.${run}@kantuta.bo`, nombres: 'Pedro', id_role: 3, password: 'Clave-Otra-789' });
        // A code requested for it, never confirmed: from the very address that confirmed the first.
        await t.api.must(201, 'POST', '/auth/reset/code', { body: { email: other.email } });
        await waitForMailTo(t, other.email, CODE_SUBJECT);
        const bare = await t.api.request('POST', '/auth/reset-confirm', { body: { email: other.email, newPassword: 'Clave-Robada-000' } });
        t.eq([bare.status, bare.json?.message], [400, ['reset_token o code es requerido']], 'bare reset-confirm for an unconfirmed e-mail');
        // The verified reset of the first e-mail was spent by the frontend: once only.
        const again = await t.api.request('POST', '/auth/reset-confirm', { body: { email: u.email, newPassword: 'Clave-Robada-000' } });
        t.eq([again.status, again.json?.message], [400, ['reset_token o code es requerido']], 'a second bare reset-confirm for the reset e-mail');
        // Neither password changed.
        await t.api.must(201, 'POST', '/auth/login', { body: { email: other.email, password: 'Clave-Otra-789' } });
        await t.api.must(201, 'POST', '/auth/login', { body: { email: u.email, password: 'Clave-Nueva-456' } });
        const stolen = await t.api.request('POST', '/auth/login', { body: { email: other.email, password: 'Clave-Robada-000' } });
        t.eq(stolen.status, 401, 'login with the refused password');
      },
    },
  ],
};
