// `halo plan`'s pure core: a group of parsed node configs in, the agreement findings and
// one failover matrix per virtual router out. Rendering is in render.ts.

import { type Diagnostic, Diagnostics } from '../config/diagnostics.js';
import { checkAgreement } from './agreement.js';
import { type PlanNode, pairInstances, type VirtualRouter } from './group.js';
import { buildMatrix, MAX_MATRIX_NODES, type Matrix } from './matrix.js';

export type { PlanMember, PlanNode, VirtualRouter } from './group.js';
export type { Condition, Flag, Matrix, MatrixRow, Outcome, RowFlag } from './matrix.js';
export { MAX_MATRIX_NODES } from './matrix.js';

export interface PlanOptions {
  /** Only rows with at most this many failed or stopped nodes. */
  readonly maxChanges?: number;
}

export interface PlanReport {
  readonly nodes: readonly PlanNode[];
  readonly routers: readonly VirtualRouter[];
  /** Mismatches across the group (and the nodes' own parse errors, added by the caller). */
  readonly diagnostics: readonly Diagnostic[];
  readonly matrices: readonly Matrix[];
  /** Any mismatch or any flagged row: a deployment gate fails on this. */
  readonly flagged: boolean;
}

export function planGroup(
  nodes: readonly PlanNode[],
  opts: PlanOptions = {},
  extra: readonly Diagnostic[] = [],
): PlanReport {
  const d = new Diagnostics();
  for (const x of extra) d.add(x);
  const routers = pairInstances(nodes, d);
  checkAgreement(nodes, routers, d);
  const matrices: Matrix[] = [];
  for (const r of routers) {
    if (r.members.length > MAX_MATRIX_NODES) {
      const first = r.members[0];
      if (first) {
        d.error(
          first.inst.pos,
          'HALO_PLAN_TOO_MANY_NODES',
          `(${r.name}) ${r.members.length} nodes: halo plan builds the matrix for up to ${MAX_MATRIX_NODES}`,
          'halo',
        );
      }
      continue;
    }
    matrices.push(buildMatrix(r, opts.maxChanges));
  }
  const flagged = d.errors > 0 || matrices.some((m) => m.rows.some((row) => row.flags.length > 0));
  return { nodes, routers, diagnostics: d.sorted(), matrices, flagged };
}
