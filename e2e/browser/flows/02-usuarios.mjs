// Administración › Usuarios (SPEC §5): the list reads `data` of GET /usuario and role.nombre of
// every row; an admin registers staff through POST /usuario/register with a Bearer token, an
// id_role and `s_apellido: ""`.
const run = Date.now().toString(36);

export default {
  name: 'usuarios',
  steps: [
    {
      name: 'users list',
      async run(t) {
        // A cashier seeded over HTTP, as another client would, to be listed with its role.
        const admin = await t.api.adminToken();
        const cajero = await t.api.must(201, 'POST', '/usuario/register', {
          token: admin,
          body: {
            email: `cajero.${run}@kantuta.bo`, password: 'ClaveCajero123', nombres: 'Rosa',
            p_apellido: 'Choque', fecha_nacimiento: '1999-02-11', genero: 'F', id_role: 3,
          },
        });
        t.state.cajero = cajero;
        await t.signIn();
        // Through the sidebar, as a person would: Administración › Usuarios.
        await t.page.getByRole('button', { name: 'Administración' }).click();
        await t.page.getByRole('link', { name: 'Usuarios', exact: true }).click();
        await t.waitForPath('/administracion/usuarios');
        await t.see('Gestión de Usuarios');
        const adminRow = t.page.getByRole('row').filter({ hasText: t.env.adminEmail });
        await adminRow.waitFor();
        await adminRow.getByText('ADMINISTRADOR', { exact: true }).waitFor();
        await adminRow.getByText('Activo', { exact: true }).waitFor();
        const cajeroRow = t.page.getByRole('row').filter({ hasText: cajero.email });
        await cajeroRow.getByText('Rosa Choque').waitFor();
        await cajeroRow.getByText('USUARIO', { exact: true }).waitFor();
      },
    },
    {
      name: 'staff registration (an Operador, blank second surname)',
      async run(t) {
        await t.page.getByRole('button', { name: 'Nuevo Usuario' }).click();
        await t.waitForPath('/administracion/usuarios/registrar');
        await t.see('Crear Nueva Cuenta');
        const email = `operador.${run}@kantuta.bo`;
        await t.page.locator('#email').fill(email);
        await t.page.locator('#password').fill('ClaveOperador123');
        await t.page.locator('#name').fill(`luis.${run}`);
        // The roles come from GET /auth/roles/list with ROLE_NAMES' names.
        const rol = t.field('Rol del Usuario', { tag: 'select' });
        await rol.locator('option', { hasText: 'Operador' }).waitFor({ state: 'attached' });
        await rol.selectOption({ label: 'Operador' });
        await t.page.locator('#nombres').fill('Luis Alberto');
        await t.page.locator('#p_apellido').fill('Mamani');
        await t.page.locator('#fecha_nacimiento').fill('1998-07-15');
        await t.field('Género', { tag: 'select' }).selectOption({ label: 'Masculino' });
        const reg = t.page.waitForResponse((r) => r.url().endsWith('/usuario/register'));
        await t.page.getByRole('button', { name: 'Crear Usuario' }).click();
        const res = await reg;
        t.eq(res.status(), 201, 'POST /usuario/register');
        const sent = res.request().postDataJSON();
        t.eq(sent.s_apellido, '', 'the form sends s_apellido');
        t.eq(sent.id_role, 2, 'the form sends id_role');
        t.check((res.request().headers().authorization || '').startsWith('Bearer '), 'register sent without a token');
        await t.see('¡Usuario Creado!');
        // The screen goes back to the list after 2 s.
        await t.waitForPath('/administracion/usuarios');
        const row = t.page.getByRole('row').filter({ hasText: email });
        await row.getByText('Luis Alberto Mamani').waitFor();
        await row.getByText('OPERADOR', { exact: true }).waitFor();
        // What the server stored.
        const created = (await res.json()).id;
        const u = await t.api.adminGet(`/usuario/${created}`);
        t.eq(u.role?.nombre, 'Operador', 'stored role');
        t.eq(u.name, `luis.${run}`, 'stored name');
        t.eq(u.persona?.s_apellido, null, 'stored s_apellido');
        t.eq(u.persona?.fecha_nacimiento, '1998-07-15', 'stored fecha_nacimiento');
        t.eq(u.persona?.genero, 'M', 'stored genero');
        t.state.operador = { email, password: 'ClaveOperador123', name: `luis.${run}` };
      },
    },
    {
      name: 'the new Operador signs in without the admin menus',
      async run(t) {
        await t.page.evaluate(() => window.localStorage.clear());
        const op = t.state.operador;
        await t.signIn(op.email, op.password);
        await t.page.locator('button.dropdown-toggle', { hasText: op.name }).waitFor();
        await t.page.getByRole('button', { name: 'Inventario' }).waitFor();
        t.eq(await t.page.getByRole('button', { name: 'Administración' }).count(), 0, '"Administración" menus for an Operador');
        // The admin-only route sends an Operador home.
        await t.goto('/administracion/usuarios');
        await t.waitForPath('/');
        t.eq(JSON.parse(await t.localStorage('user')).role?.nombre, 'Operador', 'stored role.nombre');
      },
    },
  ],
};
