// Routes the Kantuta frontend calls that this server does not serve (yet).
//
// Empty: since the point-of-sale issues (16 inventario, compras and /socket.io/; 17 cajas and
// ventas; 18 reportes, recargas and whatsapp) every route the frontend calls is served.
//
// The mechanism stays for the next time the frontend gains a screen before the server: a
// response from a route listed here is tolerated only when it is exactly the server's
// route-not-found 404 ({"message":"Cannot GET /…"}). Any other 4xx/5xx from it fails the step
// like everywhere else, and an entry that answered anything but route-not-found during a run is
// reported at the end as stale, so that whoever builds the route deletes its line here. Do not
// add a route the frontend calls on a screen a flow tests on purpose: write the flow with the
// route instead.
//
// Entry: { route: "METHOD /path" with :name for one path segment (the query string is ignored),
// issue: N }.
export const NOT_BUILT_YET = [];
