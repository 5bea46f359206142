// Cajas, sesiones and ventas (SPEC §13.5): a cashier opens a session, sells with the header
// balance following, takes cash out, closes with a difference; the ticket is viewed and an admin
// annuls it. Two Operadores, ana (the cashier) and luis (another cashier, in a second browser).
import { registerUser, createCategoria, createProducto, createCaja, laPazDay } from '../lib/seed.mjs';
import { LIVE } from '../lib/live.mjs';

const run = Date.now().toString(36);

// The data table rows of react-data-table-component, by the text of their first cell.
function rowByFirstCell(page, text) {
  return page.locator(`xpath=//div[@role="row"][div[@role="cell"][1][normalize-space(.)="${text}"]]`);
}

// A product line of the POS list (a clickable row holding its name).
function posProduct(page, nombre) {
  return page.locator('div.cursor-pointer', { has: page.locator('h5', { hasText: nombre }) });
}

export default {
  name: 'cajas-ventas',
  steps: [
    {
      name: 'setup: products, two cajas (one through "Nueva Caja"), two Operadores',
      async run(t) {
        const cat = await createCategoria(t.api, `Bebidas ${run}`);
        t.state.coca = await createProducto(t.api, {
          nombre: 'Coca-Cola 2L', precio_venta: 12.5, costo_compra: 8, stock_actual: 10, id_categoria: cat.id,
        });
        t.state.galletas = await createProducto(t.api, {
          nombre: 'Galletas', precio_venta: 4, costo_compra: 2.5, stock_actual: 5, id_categoria: cat.id,
        });
        t.state.ana = await registerUser(t.api, { email: `ana.${run}@kantuta.bo`, nombres: 'Ana', id_role: 2 });
        t.state.luis = await registerUser(t.api, { email: `luis.${run}@kantuta.bo`, nombres: 'Luis', id_role: 2 });

        await t.signIn();
        await t.goto('/cajas');
        await t.see('Gestión de Cajas Físicas');
        await t.page.getByRole('button', { name: 'Nueva Caja' }).click();
        await t.waitForPath('/cajas/registrar');
        await t.page.locator('#nombre').fill('Caja 01 - General');
        await t.field('Especialidad de la Caja', { tag: 'select' }).selectOption('MIXTA');
        await t.page.locator('#saldo').fill('100');
        const post = t.page.waitForResponse((r) => r.url().endsWith('/cajas') && r.request().method() === 'POST');
        await t.page.getByRole('button', { name: 'Guardar Caja' }).click();
        const res = await post;
        t.eq(res.status(), 201, 'POST /cajas');
        const caja = await res.json();
        t.eq([caja.nombre, caja.especialidad, caja.saldo], ['Caja 01 - General', 'MIXTA', '100.00'], 'created caja');
        await t.see('¡Caja Guardada!');
        await t.waitForPath('/cajas');
        const row = rowByFirstCell(t.page, String(caja.id));
        await row.getByText('Caja 01 - General').waitFor();
        await row.getByText('MIXTA', { exact: true }).waitFor();
        await row.getByText('Activa', { exact: true }).waitFor();
        t.state.caja1 = caja;
        t.state.caja2 = await createCaja(t.api, 'Caja 02', 50);
      },
    },
    {
      name: 'open: ana opens Caja 01 (her typed amount ignored), not a second caja; luis sees it taken',
      expect: ['POST /cajas/abrir 400'],
      screenErrors: [/Hubo un problema al abrir la sesión\./],
      async run(t) {
        const { ana, luis, caja1, caja2 } = t.state;
        await t.switchUser(ana.email, ana.password);
        await t.goto('/cajas');
        const row = rowByFirstCell(t.page, String(caja1.id));
        await row.getByRole('button', { name: 'Control (Sesiones)' }).waitFor();
        t.eq(await t.page.getByRole('button', { name: 'Nueva Caja' }).count(), 0, '"Nueva Caja" for an Operador');
        t.eq(await row.getByRole('button', { name: 'Editar' }).count(), 0, '"Editar" for an Operador');
        t.eq(await row.getByRole('button', { name: 'Eliminar' }).count(), 0, '"Eliminar" for an Operador');
        await row.getByRole('button', { name: 'Control (Sesiones)' }).click();
        await t.waitForPath(`/cajas/control/${caja1.id}`);
        await t.see('Caja Cerrada', { exact: true });
        const monto = t.field('Monto Inicial (Bs.)');
        await t.waitForValue(monto, (v) => Number(v) === 100);
        // An Operador's amount is ignored: the base is the caja's saldo (SPEC §13.3).
        await monto.fill('150');
        const abrir = t.page.waitForResponse((r) => r.url().endsWith('/cajas/abrir'));
        await t.page.getByRole('button', { name: 'Abrir Caja' }).click();
        const res = await abrir;
        t.eq(res.status(), 201, 'POST /cajas/abrir');
        const sesion = await res.json();
        t.eq([sesion.monto_inicial, sesion.id_usuario, sesion.caja?.nombre], ['100.00', ana.id, 'Caja 01 - General'], 'opened session');
        t.state.sesion = sesion;
        await t.see('Sesión abierta correctamente.');
        await t.see('Sesión Abierta', { exact: true });
        await t.see(`ID Sesión: ${sesion.id}`);
        await t.see('Monto Inicial: Bs. 100.00');
        await t.waitForHeaderBalance('100.00');
        // Live updates reach this page over socket.io, upgraded from polling to a WebSocket.
        if (LIVE) await t.waitForSocketUpgrade();

        // A second caja for the same cashier: the server refuses, the page says so.
        await t.goto(`/cajas/control/${caja2.id}`);
        await t.see('Caja Cerrada', { exact: true });
        const again = t.page.waitForResponse((r) => r.url().endsWith('/cajas/abrir'));
        await t.page.getByRole('button', { name: 'Abrir Caja' }).click();
        const r2 = await again;
        t.eq(r2.status(), 400, 'second POST /cajas/abrir');
        t.eq((await r2.json()).message, 'El usuario ya cuenta con una caja abierta', 'second abrir message');
        await t.see('Hubo un problema al abrir la sesión.');
        await t.waitForHeaderBalance('100.00');

        // luis, in another browser: Caja 01 is ana's; he has no session and no pill.
        const l = await t.openBrowser('luis');
        t.state.luisPage = l;
        await l.signIn(luis.email, luis.password);
        await l.goto(`/cajas/control/${caja1.id}`);
        await l.see('Sesión Abierta', { exact: true });
        await l.see(`ID Sesión: ${sesion.id}`);
        t.eq(await l.headerBalance(), null, "luis's header pill");
        await l.goto('/ventas/pos');
        await l.see('Caja Cerrada o Inactiva');
        await l.page.getByRole('button', { name: 'Ir a Control de Cajas' }).click();
        await l.waitForPath('/cajas');
      },
    },
    {
      name: 'sell: 2 Coca-Cola + 1 Galletas in cash, the ticket, stock and header; then one by QR',
      async run(t) {
        const { sesion, coca, galletas, caja2 } = t.state;
        t.state.resumenBefore = await reporteResumenHoy(t);
        await t.goto('/ventas/pos');
        await t.see('TOTAL A PAGAR:');
        await posProduct(t.page, 'Coca-Cola 2L').click();
        await posProduct(t.page, 'Coca-Cola 2L').click();
        await posProduct(t.page, 'Galletas').click();
        await t.see('2 items', { exact: true });
        await t.page.getByText('TOTAL A PAGAR:').locator('xpath=..').getByText('Bs. 29.00').waitFor();
        t.eq(await t.field('Método de Pago', { tag: 'select' }).inputValue(), 'EFECTIVO', 'Método de Pago');
        await t.see(`Caja Activa: Caja 01 - General (Sesión #${sesion.id})`);
        const post = t.page.waitForResponse((r) => r.url().endsWith('/ventas') && r.request().method() === 'POST');
        await t.page.getByRole('button', { name: 'Cobrar Bs. 29.00' }).click();
        const res = await post;
        t.eq(res.status(), 201, 'POST /ventas');
        const venta = await res.json();
        t.eq([venta.total, venta.metodo_pago, venta.estado_venta, venta.id_sesion_caja], ['29.00', 'EFECTIVO', 'COMPLETADA', sesion.id], 'venta');
        t.state.ticket1 = venta;
        await t.see('¡Venta Exitosa!');
        const modal = t.page.locator('.modal, [role="dialog"], div.fixed').filter({ hasText: '¡Venta Registrada!' }).last();
        await modal.getByText(`Ticket #${venta.id}`, { exact: true }).waitFor();
        await modal.getByText('EFECTIVO', { exact: true }).waitFor();
        await modal.getByText(`Sesión #${sesion.id}`, { exact: true }).waitFor();
        await modal.getByText('Bs. 29.00', { exact: true }).waitFor();
        await t.see('Stock: 8', { exact: true });
        await t.see('Stock: 4', { exact: true });
        await liveOrReload(t, () => t.waitForHeaderBalance('129.00'));

        // The change: no field on the screen; the API computes it from monto_recibido. In the
        // admin's own session on Caja 02, removed afterwards, so that ana's figures stay exact.
        const admin = await t.api.adminToken();
        const s2 = await t.api.must(201, 'POST', '/cajas/abrir', { token: admin, body: { id_caja: caja2.id } });
        const v = await t.api.must(201, 'POST', '/ventas', {
          token: admin,
          body: {
            metodo_pago: 'EFECTIVO', id_sesion_caja: s2.id, monto_recibido: 50,
            detalles: [{ id_producto: coca.id, cantidad: 2, precio_unitario: 12.5 }, { id_producto: galletas.id, cantidad: 1, precio_unitario: 4 }],
          },
        });
        t.eq([v.total, v.monto_recibido, v.cambio], ['29.00', '50.00', '21.00'], 'venta with monto_recibido');
        await t.api.must(200, 'DELETE', `/ventas/${v.id}`, { token: admin });
        await t.api.must(200, 'PATCH', `/cajas/sesion/${s2.id}/cerrar`, { token: admin, body: { monto_final_real: 50 } });

        // One Coca-Cola by QR: the drawer does not move.
        await t.goto('/ventas/pos');
        await t.see('Stock: 8', { exact: true });
        await posProduct(t.page, 'Coca-Cola 2L').click();
        await t.see('1 items', { exact: true });
        await t.field('Método de Pago', { tag: 'select' }).selectOption('QR');
        const post2 = t.page.waitForResponse((r) => r.url().endsWith('/ventas') && r.request().method() === 'POST');
        await t.page.getByRole('button', { name: 'Cobrar Bs. 12.50' }).click();
        const res2 = await post2;
        t.eq(res2.status(), 201, 'POST /ventas (QR)');
        const v2 = await res2.json();
        t.eq([v2.total, v2.metodo_pago], ['12.50', 'QR'], 'QR venta');
        t.state.ticket2 = v2;
        await t.page.getByText(`Ticket #${v2.id}`, { exact: true }).waitFor();
        await t.see('Stock: 7', { exact: true });
        await t.page.getByRole('button', { name: 'Aceptar / Ir al Historial' }).click();
        await t.waitForPath('/ventas');
        await t.waitForHeaderBalance('129.00');
      },
    },
    {
      name: 'egreso: 10 for bags; 1000 is refused (insufficient funds)',
      expect: ['POST /cajas/movimiento 400'],
      screenErrors: [/Error al registrar movimiento\./],
      async run(t) {
        const { caja1 } = t.state;
        await t.goto(`/cajas/control/${caja1.id}`);
        await t.see('Sesión Abierta', { exact: true });
        await t.field('Tipo de Movimiento', { tag: 'select' }).selectOption('EGRESO');
        await t.field('Monto (Bs.)').fill('10');
        await t.field('Motivo / Justificación').fill('Compra de bolsas');
        const post = t.page.waitForResponse((r) => r.url().endsWith('/cajas/movimiento'));
        await t.page.getByRole('button', { name: 'Registrar EGRESO' }).click();
        const res = await post;
        t.eq(res.status(), 201, 'POST /cajas/movimiento');
        const mov = await res.json();
        t.eq([mov.tipo, mov.monto, mov.motivo, mov.origen], ['EGRESO', '10.00', 'Compra de bolsas', 'MANUAL'], 'movimiento');
        await t.see('Movimiento de EGRESO registrado.');
        await liveOrReload(t, () => t.waitForHeaderBalance('119.00'));

        await t.field('Tipo de Movimiento', { tag: 'select' }).selectOption('EGRESO');
        await t.field('Monto (Bs.)').fill('1000');
        await t.field('Motivo / Justificación').fill('Demasiado');
        const post2 = t.page.waitForResponse((r) => r.url().endsWith('/cajas/movimiento'));
        await t.page.getByRole('button', { name: 'Registrar EGRESO' }).click();
        const r2 = await post2;
        t.eq(r2.status(), 400, 'POST /cajas/movimiento 1000');
        t.eq((await r2.json()).message, 'Fondos insuficientes en el saldo de la caja. Saldo disponible: 119.00', 'message');
        await t.see('Error al registrar movimiento.');
        await t.waitForHeaderBalance('119.00');
      },
    },
    {
      name: 'balance: header 119.00 = 100 + 29 − 10, the count prefilled, the API agrees',
      async run(t) {
        const { caja1, sesion, ana } = t.state;
        await t.goto(`/cajas/control/${caja1.id}`);
        await t.waitForHeaderBalance('119.00');
        await t.waitForValue(t.field('Dinero Físico en Caja (Bs.)'), (v) => Number(v) === 119);
        t.eq(await t.api.must(200, 'GET', `/cajas/sesion/${sesion.id}/balance`, { token: ana.token }), '119.00', 'GET balance');
        t.eq((await t.api.adminGet(`/cajas/${caja1.id}`)).saldo, '119.00', 'caja saldo');
      },
    },
    {
      name: "close: luis may not close ana's session; ana counts 118.50 (−0.50)",
      expect: ['PATCH /cajas/sesion/:id/cerrar 403'],
      screenErrors: [/Hubo un problema al cerrar la sesión\./],
      async run(t) {
        const { caja1, sesion } = t.state;
        const l = t.state.luisPage;
        await l.goto(`/cajas/control/${caja1.id}`);
        await l.see('Sesión Abierta', { exact: true });
        const c1 = l.page.waitForResponse((r) => r.url().endsWith(`/cajas/sesion/${sesion.id}/cerrar`));
        await l.page.getByRole('button', { name: 'Confirmar Cierre de Caja' }).click();
        t.eq((await c1).status(), 403, "luis's PATCH cerrar");
        await l.see('Hubo un problema al cerrar la sesión.');

        await t.goto(`/cajas/control/${caja1.id}`);
        const count = t.field('Dinero Físico en Caja (Bs.)');
        await t.waitForValue(count, (v) => Number(v) === 119);
        await count.fill('118.50');
        const c2 = t.page.waitForResponse((r) => r.url().endsWith(`/cajas/sesion/${sesion.id}/cerrar`));
        await t.page.getByRole('button', { name: 'Confirmar Cierre de Caja' }).click();
        const res = await c2;
        t.eq(res.status(), 200, 'PATCH cerrar');
        const closed = await res.json();
        t.eq(
          [closed.estado_sesion, closed.monto_final_teorico, closed.monto_final_real, closed.diferencia],
          ['CERRADA', '119.00', '118.50', '-0.50'],
          'closed session',
        );
        await t.see('Sesión cerrada correctamente.');
        await t.see('Caja Cerrada', { exact: true });
        await t.waitForValue(t.field('Monto Inicial (Bs.)'), (v) => Number(v) === 118.5);
        // The header drops the pill, but its live handler for caja/CAJA_CERRADA re-reads the
        // balance of the session it had captured (a stale closure, AppHeader.tsx:56-73) and the
        // closed session's figure can come back: a frontend defect (docs/frontend.md). A page
        // load shows no pill.
        await new Promise((r) => setTimeout(r, 1500));
        const pill = await t.headerBalance();
        t.check(pill === null || pill === '119.00', `header pill after the close: ${pill}`);
        await t.page.reload({ waitUntil: 'domcontentloaded' });
        await t.see('Caja Cerrada', { exact: true });
        await t.waitForHeaderBalance(null);
        t.eq((await t.api.adminGet(`/cajas/${caja1.id}`)).saldo, '118.50', 'caja saldo after the close');
        await t.goto('/ventas/pos');
        await t.see('Caja Cerrada o Inactiva');
      },
    },
    {
      name: 'view: the ticket in Historial de Ventas; ana has no "Anular"',
      async run(t) {
        const { ticket1, sesion } = t.state;
        await t.goto('/ventas');
        await t.see('Historial de Ventas');
        const row = rowByFirstCell(t.page, String(ticket1.id));
        await row.getByText('Bs. 29.00').waitFor();
        await row.getByText('EFECTIVO', { exact: true }).waitFor();
        await row.getByText('COMPLETADA', { exact: true }).waitFor();
        t.eq(await t.page.getByRole('button', { name: 'Anular' }).count(), 0, '"Anular" buttons for an Operador');
        await row.getByRole('button', { name: 'Ver' }).click();
        await t.page.getByRole('heading', { name: `Ticket #${ticket1.id}` }).waitFor();
        await t.see(`Sesión ${sesion.id}`, { exact: true });
        await t.see('Bs. 29.00', { exact: true });
        const lines = t.page.locator('table tbody tr');
        t.eq(await lines.count(), 2, 'ticket lines');
        t.eq(await lines.nth(0).locator('td').allInnerTexts(), ['Coca-Cola 2L', '2', 'Bs. 12.50', 'Bs. 25.00'], 'line 1');
        t.eq(await lines.nth(1).locator('td').allInnerTexts(), ['Galletas', '1', 'Bs. 4.00', 'Bs. 4.00'], 'line 2');
        await t.page.getByRole('button', { name: 'Cerrar Ventana' }).click();
      },
    },
    {
      name: 'annul: the admin annuls the cash ticket of the closed session; stock returns, cash does not',
      dialogs: [{ match: /Ingrese el motivo de anulación:/, promptText: 'Cliente devolvió' }],
      async run(t) {
        const { ticket1, ticket2, caja1, ana, luis } = t.state;
        // luis takes Caja 01 over (base: the counted 118.50) and watches the POS in his browser.
        const l = t.state.luisPage;
        await l.goto(`/cajas/control/${caja1.id}`);
        await l.see('Caja Cerrada', { exact: true });
        await l.waitForValue(l.field('Monto Inicial (Bs.)'), (v) => Number(v) === 118.5);
        await l.page.getByRole('button', { name: 'Abrir Caja' }).click();
        await l.see('Sesión abierta correctamente.');
        await l.waitForHeaderBalance('118.50');
        await l.goto('/ventas/pos');
        await l.see('Stock: 7', { exact: true }); // Coca-Cola: 10 − 2 − 1
        await l.see('Stock: 4', { exact: true }); // Galletas: 5 − 1

        await t.switchUser();
        await t.goto('/ventas');
        const row = rowByFirstCell(t.page, String(ticket1.id));
        const patch = t.page.waitForResponse((r) => r.url().endsWith(`/ventas/${ticket1.id}`) && r.request().method() === 'PATCH');
        await row.getByRole('button', { name: 'Anular' }).click();
        const res = await patch;
        t.eq(res.status(), 200, 'PATCH /ventas/:id');
        const sent = res.request().postDataJSON();
        t.eq([sent.estado_venta, sent.motivo_edicion], ['ANULADA', 'Cliente devolvió'], 'the annul body');
        await t.see('Venta anulada correctamente.');
        await row.getByText('ANULADA', { exact: true }).waitFor();
        t.eq(await row.getByRole('button', { name: 'Anular' }).count(), 0, '"Anular" on an annulled venta');
        await rowByFirstCell(t.page, String(ticket2.id)).getByRole('button', { name: 'Anular' }).waitFor();
        await row.getByRole('button', { name: 'Ver' }).click();
        await t.see('Motivo de Anulación:');
        await t.see('Cliente devolvió', { exact: true });
        await t.page.getByRole('button', { name: 'Cerrar Ventana' }).click();

        // The stock is back (Coca-Cola 9, Galletas 5) on luis's POS; his drawer did not move.
        await liveOrReload(l, async () => {
          await l.see('Stock: 9', { exact: true });
          await l.see('Stock: 5', { exact: true });
        });
        await l.waitForHeaderBalance('118.50');
        t.eq((await t.api.adminGet(`/cajas/${caja1.id}`)).saldo, '118.50', 'caja saldo after annulling a closed session\'s venta');
        const closed = await t.api.adminGet(`/cajas/${caja1.id}`);
        const old = closed.sesiones.find((s) => s.id === t.state.sesion.id);
        t.eq([old.monto_final_teorico, old.diferencia], ['119.00', '-0.50'], 'the closed session');

        // Annulled once: again → 409; an Operador → 403.
        const again = await t.api.request('PATCH', `/ventas/${ticket1.id}`, {
          token: await t.api.adminToken(), body: { estado_venta: 'ANULADA', motivo_edicion: 'otra vez' },
        });
        t.eq([again.status, again.json?.message], [409, 'La venta ya está anulada'], 'second annulment');
        const byAna = await t.api.request('PATCH', `/ventas/${ticket2.id}`, {
          token: ana.token, body: { estado_venta: 'ANULADA', motivo_edicion: 'no' },
        });
        t.eq([byAna.status, byAna.json?.message], [403, 'Forbidden resource'], 'annulment by an Operador');

        // Today's report: both tickets listed, the annulled one not summed.
        const before = t.state.resumenBefore;
        const after = await reporteResumenHoy(t);
        t.eq(after.totales.totalTransacciones - before.totales.totalTransacciones, 2, 'totalTransacciones added today');
        t.eq(Math.round((after.totales.totalVendido - before.totales.totalVendido) * 100), 1250, 'totalVendido added today (centavos)');
        const mine = after.ventas.filter((v) => v.id === ticket1.id || v.id === ticket2.id).map((v) => [v.id, v.total, v.estado_venta]);
        t.eq(mine, [[ticket2.id, 12.5, 'COMPLETADA'], [ticket1.id, 29, 'ANULADA']], 'report rows');

        // luis closes his shift so that later flows start from a closed caja.
        const s = await t.api.must(200, 'GET', `/cajas/sesion-activa/${luis.id}`, { token: luis.token });
        await t.api.must(200, 'PATCH', `/cajas/sesion/${s.id}/cerrar`, { token: luis.token, body: { monto_final_real: 118.5 } });
      },
    },
  ],
};

async function reporteResumenHoy(t) {
  const day = laPazDay();
  return t.api.must(200, 'POST', '/ventas/reporte-resumen', {
    token: await t.api.adminToken(), body: { fechaInicio: day, fechaFin: day },
  });
}

// What the page shows after a write made elsewhere: live (Socket.IO dataChanged) once the
// realtime endpoint is in; until then, after a reload.
async function liveOrReload(t, check) {
  if (!LIVE) await t.page.reload({ waitUntil: 'domcontentloaded' });
  await check();
}
