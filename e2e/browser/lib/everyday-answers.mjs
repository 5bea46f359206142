// 4xx answers of the API contract that the frontend asks for on purpose, on every page, and
// handles: tolerated in every step without a declaration, but only with exactly this status and a
// body matching `body`. Anything else from these routes fails the step as usual.
//
// route: "METHOD /path" with :name for one path segment; the query string is ignored.
export const EVERYDAY_ANSWERS = [
  {
    // CajaContext.checkSesion asks on every page once signed in; 404 is the only answer that makes
    // it forget a stored session (SPEC §13.2), so a usuario without an open session gets it always.
    route: 'GET /cajas/sesion-activa/:id_usuario',
    status: 404,
    body: /"No hay sesión activa para el usuario \d+"/,
  },
];
