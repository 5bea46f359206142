// Profiles (SPEC §5): "Editar perfil" opens /administracion/usuarios/editar/:id, which reads
// GET /usuario/:id (persona.fecha_nacimiento split on "T"), saves the persona with PUT /persona
// {id, id_user_update, …} and the account with PATCH /usuario/:id {email, name, estado, id_role}.
const run = Date.now().toString(36);

export default {
  name: 'perfil',
  steps: [
    {
      name: 'profile save (own datos personales)',
      async run(t) {
        await t.signIn();
        const me = JSON.parse(await t.localStorage('user'));
        await t.page.locator('button.dropdown-toggle').click();
        await t.page.getByRole('link', { name: 'Editar perfil' }).click();
        await t.waitForPath(`/administracion/usuarios/editar/${me.id}`);
        await t.see('Información Personal');
        const nombres = t.field('Nombres');
        // The form is filled from GET /usuario/:id.
        await t.waitForValue(nombres);
        t.eq(await t.field('Correo Electrónico').inputValue(), me.email, 'Correo Electrónico');
        await nombres.fill('Ana María');
        await t.field('Primer Apellido').fill('Mamani');
        await t.field('Segundo Apellido').fill('Quispe');
        await t.field('Fecha de Nacimiento').fill('1990-05-04');
        await t.field('Género', { tag: 'select' }).selectOption({ label: 'Femenino' });
        const put = t.page.waitForResponse((r) => r.url().endsWith('/persona') && r.request().method() === 'PUT');
        await t.page.getByRole('button', { name: 'Guardar Datos Personales' }).click();
        const res = await put;
        t.eq(res.status(), 200, 'PUT /persona');
        t.eq(res.request().postDataJSON().id, me.persona.id, 'PUT /persona body id');
        await t.see('Los datos se han guardado correctamente.');
        const p = await t.api.adminGet(`/persona/${me.persona.id}`);
        t.eq(
          [p.nombres, p.p_apellido, p.s_apellido, p.fecha_nacimiento, p.genero],
          ['Ana María', 'Mamani', 'Quispe', '1990-05-04', 'F'],
          'stored persona',
        );
        // A reload reads it back.
        await t.page.reload({ waitUntil: 'domcontentloaded' });
        await t.waitForValue(t.field('Nombres'), 'Ana María');
        t.eq(await t.field('Fecha de Nacimiento').inputValue(), '1990-05-04', 'Fecha de Nacimiento after reload');
      },
    },
    {
      name: "account save (another usuario's name, from the list)",
      async run(t) {
        const admin = await t.api.adminToken();
        const u = await t.api.must(201, 'POST', '/usuario/register', {
          token: admin,
          body: {
            email: `vendedora.${run}@kantuta.bo`, password: 'ClaveVendedora1', nombres: 'Carmen',
            p_apellido: 'Flores', s_apellido: '', fecha_nacimiento: '2001-09-30', genero: 'F', id_role: 3,
          },
        });
        await t.goto('/administracion/usuarios');
        const row = t.page.getByRole('row').filter({ hasText: u.email });
        await row.getByRole('button', { name: 'Ver/Editar Perfil' }).click();
        await t.waitForPath(`/administracion/usuarios/editar/${u.id}`);
        const name = t.field('Nombre de Usuario (Username)');
        await t.waitForValue(name);
        await name.fill(`carmen.${run}`);
        const patch = t.page.waitForResponse((r) => r.url().endsWith(`/usuario/${u.id}`) && r.request().method() === 'PATCH');
        await t.page.getByRole('button', { name: 'Guardar Cuenta' }).click();
        const res = await patch;
        t.eq(res.status(), 200, 'PATCH /usuario/:id');
        await t.see('Los datos se han guardado correctamente.');
        await t.waitForPath('/administracion/usuarios');
        await t.page.getByRole('row').filter({ hasText: u.email }).getByText('USUARIO', { exact: true }).waitFor();
        const got = await t.api.adminGet(`/usuario/${u.id}`);
        t.eq([got.name, got.estado, got.role?.nombre], [`carmen.${run}`, true, 'Usuario'], 'stored usuario');
      },
    },
  ],
};
