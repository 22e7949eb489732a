// node:http, loaded with require(). An ESM `import` of node:http makes Node.js 22 and 24
// build the module's ESM facade, which reads every export, among them lazy getters that
// load the bundled undici: 70 to 130 ms of start-up here (`import('node:http')` against
// `require('node:http')`: 11 ms), most of what kept `halo proxy` from listening within
// 150 ms (bench/startup.ts). require() reads none of them. Types still come from
// `import type`.

import { createRequire } from 'node:module';

export const nodeHttp: typeof import('node:http') = createRequire(import.meta.url)('node:http');
