// Whether this server pushes live updates (Socket.IO `dataChanged` at /socket.io/, SPEC §14.6).
// While false, a flow checks what another write changed after reloading the page; once true, it
// checks that the page follows without a reload (the header balance, the POS stock, the lists).
export const LIVE = false;
