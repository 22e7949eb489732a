// What a converter is at run time: built once per expression from its (already checked)
// arguments, then applied to a sample of its input type. Variables are read through a
// small port, for the converters that take one (`concat(,txn.x,)`, `add(txn.n)`). Pure.

import type { SampleConv } from '../../config/haproxy/http-rule-model.js';
import type { Sample } from './sample.js';

/** The request's variables, as samples (`txn.x`, `sess.y`...). */
export interface VarReader {
  get(name: string): Sample | undefined;
}

export interface ConvEnv {
  readonly vars?: VarReader | undefined;
  /** Seconds east of UTC of local time at an epoch time (`ltime`); undefined: unknown. */
  readonly localOffset?: ((secs: bigint) => number | undefined) | undefined;
}

export type RunConverter = (s: Sample, env: ConvEnv) => Sample | undefined;

/** Builds a converter from its arguments. */
export type ConverterImpl = (conv: SampleConv) => RunConverter;
