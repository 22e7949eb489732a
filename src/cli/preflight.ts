// Runs before any other module of the `halo` command is evaluated (main.ts imports it
// first): the proxy's modules bind Node.js internals when they load, so a Node.js that
// lacks them must be reported here, with its version, instead of as a TypeError from
// inside an import.

import { missingNodeInternals, nodeInternalsMessage } from '../proxy/io/node-internals.js';

const missing = missingNodeInternals();
if (missing.length > 0) {
  process.stderr.write(`halo: ${nodeInternalsMessage(process.version, missing)}\n`);
  process.exit(1);
}
