/**
 * A structured, one-click fix the studio can apply with `applyFix`. `nodeId` names the node the
 * fix changes when it is not the node the issue is reported on; `port` (for `insertBefore` on a
 * merge block) names the input the new node goes on.
 */
export type Fix =
  | {
      kind: 'insertBefore'
      nodeId?: string
      port?: string
      type: string
      params?: Record<string, unknown>
      label: string
    }
  | { kind: 'setParam'; nodeId?: string; param: string; value: unknown; label: string }
  | { kind: 'removeNode'; nodeId?: string; label: string }
  | {
      kind: 'replaceNode'
      nodeId?: string
      type: string
      params?: Record<string, unknown>
      label: string
    }

/** A problem found by a shape rule: a stable code, PyTorch's wording, the values, maybe a fix. */
export interface ShapeIssue {
  code: string
  message: string
  fix?: Fix
  values?: Record<string, unknown>
}

/** The output shape of a layer, or the error PyTorch would raise. */
export type ShapeResult = { ok: true; shape: number[] } | { ok: false; error: ShapeIssue }
