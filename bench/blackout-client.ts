// The bench's client, run inside the lab's client namespace: VipProbe against HOST:PORT,
// every attempt printed as one JSON line (`halo probe --json` prints only the failed ones;
// the bench needs the successes too, to place each blackout against the fault).
//
//   node dist/bench/blackout-client.js HOST PORT    (SIGTERM stops it)

import { VipProbe } from '../src/probe/vip-probe.js';

const [host = '127.0.0.1', port = '9443'] = process.argv.slice(2);
const probe = new VipProbe({
  host,
  port: Number(port),
  onAttempt: (a) => process.stdout.write(`${JSON.stringify(a)}\n`),
});
probe.start();
process.once('SIGTERM', () => {
  void probe.stop().then(() => process.stdout.write('{"done":true}\n'));
});
