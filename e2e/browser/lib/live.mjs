// Whether this server pushes live updates (Socket.IO `dataChanged` at /socket.io/, SPEC §14.6).
// When true, a flow checks that a page follows a write made elsewhere without a reload (the header
// balance, the POS stock, the lists); when false (a server without the realtime endpoint), after
// reloading the page.
export const LIVE = true;
