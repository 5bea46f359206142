// Data the flows set up over HTTP as the admin (or another client) would, before driving the
// screens that use it. Every helper throws unless the API answers the documented status.

// A usuario with a role (1 Administrador, 2 Operador, 3 Usuario under the suite's ROLE_NAMES);
// returns { id, email, password, name, nombres } and signs it in once over HTTP (token cached).
export async function registerUser(api, { email, nombres, p_apellido = 'Prueba', id_role, password = 'Clave-Segura-123', name }) {
  const admin = await api.adminToken();
  const body = { email, password, nombres, p_apellido, s_apellido: '', fecha_nacimiento: '1995-03-20', genero: 'F', id_role };
  if (name !== undefined) body.name = name;
  const u = await api.must(201, 'POST', '/usuario/register', { token: admin, body });
  const login = await api.login(email, password);
  return { id: u.id, email, password, name: login.user?.name ?? u.name, nombres, token: login.access_token };
}

export async function createCategoria(api, nombre) {
  return api.must(201, 'POST', '/inventario/categorias', { token: await api.adminToken(), body: { nombre } });
}

export async function createProducto(api, p) {
  const body = { codigo_barras: '', stock_minimo: 3, ...p };
  return api.must(201, 'POST', '/inventario/producto', { token: await api.adminToken(), body });
}

export async function createCaja(api, nombre, saldo = 0, especialidad = 'MIXTA') {
  return api.must(201, 'POST', '/cajas', { token: await api.adminToken(), body: { nombre, especialidad, saldo } });
}

// A local calendar day (YYYY-MM-DD) in the shop's zone (America/La_Paz, UTC−4 all year), as the
// server's KANTUTA_TZ counts days. Typed into date fields instead of the frontend's "Hoy" button,
// which sends the UTC date.
export function laPazDay(d = new Date()) {
  return new Date(d.getTime() - 4 * 3600 * 1000).toISOString().slice(0, 10);
}
