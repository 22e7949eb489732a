// The idle-connection backend of the memory bench, as a child process of its own (forked
// with an IPC channel): it holds one descriptor per connection, and the bench process
// holds the client ends, so each stays within the per-process descriptor limit at 10,000
// connections. Accepts on 127.0.0.1:<argv[2]> and holds each connection until its peer
// closes (nothing is sent on them); answers 'count' with the number of connections held,
// 'drop' by closing them all.

import net from 'node:net';

const port = Number(process.argv[2]);
const sockets = new Set<net.Socket>();
const server = net.createServer((s) => {
  sockets.add(s);
  s.on('error', () => {});
  s.resume(); // sees the FIN when the proxy closes its side
  s.on('close', () => sockets.delete(s));
});
server.maxConnections = 100_000;
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => process.send?.('listening'));
process.on('message', (m) => {
  if (m === 'drop') for (const s of sockets) s.destroy();
  if (m === 'count' || m === 'drop') process.send?.(sockets.size);
});
process.on('disconnect', () => {
  for (const s of sockets) s.destroy();
  server.close();
});
