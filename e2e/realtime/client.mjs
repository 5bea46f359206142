// One Socket.IO client, as the Kantuta frontend makes it (socket.io-client
// 4.8.3, io(url) with no auth), driven by the contract test
// (e2e/realtime/contract_test.go). It prints one JSON line per thing that
// happens, on stdout:
//   {"type":"connect","transport":"polling"}
//   {"type":"upgrade","transport":"websocket"}
//   {"type":"event","event":"dataChanged","args":[{"entity":"…","action":"…"}]}
//   {"type":"connect_error","message":"No autorizado"}
//   {"type":"disconnect","reason":"…"}
// and exits when its standard input closes.
//
//   node client.mjs URL [--transports polling|websocket|polling,websocket]
//        [--origin ORIGIN] [--token TOKEN] [--bearer TOKEN]
import { io } from "socket.io-client";

const args = process.argv.slice(2);
const url = args.shift();
const opt = {};
for (let i = 0; i < args.length; i += 2) opt[args[i].replace(/^--/, "")] = args[i + 1];

const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const options = { reconnection: false };
if (opt.transports) options.transports = opt.transports.split(",");
const headers = {};
if (opt.origin) headers.Origin = opt.origin;
if (opt.bearer) headers.Authorization = "Bearer " + opt.bearer;
if (Object.keys(headers).length) options.extraHeaders = headers;
if (opt.token !== undefined) options.auth = { token: opt.token };

const socket = io(url, options);
socket.on("connect", () => {
  const engine = socket.io.engine;
  out({ type: "connect", transport: engine.transport.name });
  engine.on("upgrade", (t) => out({ type: "upgrade", transport: t.name }));
});
socket.on("connect_error", (err) => out({ type: "connect_error", message: err.message }));
socket.on("disconnect", (reason) => out({ type: "disconnect", reason }));
socket.onAny((event, ...rest) => out({ type: "event", event, args: rest }));

process.stdin.on("data", () => {});
process.stdin.on("end", () => {
  socket.close();
  process.exit(0);
});
