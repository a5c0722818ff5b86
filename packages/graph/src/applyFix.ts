import { GraphValidationError } from './GraphValidationError.js'
import { nextId } from './ids.js'
import type { Fix } from './layerTypes.js'
import { NODE_SPACING } from './limits.js'
import { isNodeType, nodeSpecs } from './specs.js'
import type { GraphDocument, GraphEdge, GraphNode, NodeType } from './types.js'

const paramsFor = (type: string, params: Record<string, unknown> | undefined) => {
  const defaults = isNodeType(type) ? structuredClone(nodeSpecs[type].defaults) : {}
  return { ...defaults, ...structuredClone(params ?? {}) }
}

/** Ids of `start` and every node reachable from it. */
function downstream(doc: GraphDocument, start: string): Set<string> {
  const outs = new Map<string, string[]>()
  for (const e of doc.edges) {
    const list = outs.get(e.source)
    if (list) list.push(e.target)
    else outs.set(e.source, [e.target])
  }
  const seen = new Set([start])
  const stack = [start]
  while (stack.length > 0) {
    for (const next of outs.get(stack.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next)
        stack.push(next)
      }
    }
  }
  return seen
}

/**
 * Applies a fix from an issue and returns a new document; `doc` is not changed. The fix acts on
 * `fix.nodeId` when it names one, else on `nodeId` (the node the issue is reported on):
 * - `insertBefore`: a new node (PyTorch defaults overridden by `fix.params`) takes over the
 *   target's incoming connection (on a merge block, the one into `fix.port`) and feeds the
 *   target; the target and what follows it move one slot to the right;
 * - `setParam`: sets one parameter;
 * - `removeNode`: removes the node and, when one wire led into it, joins that input to its
 *   outputs;
 * - `replaceNode`: changes the node's type and parameters, keeping its id, position and edges.
 *
 * Throws a `GraphValidationError` (code `FIX_TARGET_MISSING`) when the node no longer exists.
 */
export function applyFix(doc: GraphDocument, nodeId: string, fix: Fix): GraphDocument {
  const targetId = fix.nodeId ?? nodeId
  const target = doc.nodes.find((n) => n.id === targetId)
  if (!target) throw GraphValidationError.of('FIX_TARGET_MISSING', 'nodes', { id: targetId })

  switch (fix.kind) {
    case 'setParam':
      return {
        ...doc,
        nodes: doc.nodes.map((n) =>
          n.id === targetId
            ? { ...n, params: { ...n.params, [fix.param]: structuredClone(fix.value) } }
            : n,
        ),
      }

    case 'replaceNode':
      return {
        ...doc,
        nodes: doc.nodes.map((n) =>
          n.id === targetId
            ? { ...n, type: fix.type as NodeType, params: paramsFor(fix.type, fix.params) }
            : n,
        ),
      }

    case 'removeNode': {
      // Only a node with one wire in is bridged: joining a merge's (or a doubly fed node's)
      // inputs to what it fed would wire several tensors into one input.
      const into = doc.edges.filter((e) => e.target === targetId)
      const incoming = into.length === 1 ? into : []
      const outgoing = doc.edges.filter((e) => e.source === targetId)
      const kept = doc.edges.filter((e) => e.source !== targetId && e.target !== targetId)
      const ids = doc.edges.map((e) => e.id)
      const joined: GraphEdge[] = []
      for (const a of incoming) {
        for (const b of outgoing) {
          const exists = [...kept, ...joined].some(
            (e) => e.source === a.source && e.target === b.target && e.targetPort === b.targetPort,
          )
          if (exists || a.source === b.target) continue
          const id = nextId('e', ids)
          ids.push(id)
          joined.push({
            id,
            source: a.source,
            target: b.target,
            ...(b.targetPort === undefined ? {} : { targetPort: b.targetPort }),
          })
        }
      }
      return {
        ...doc,
        nodes: doc.nodes.filter((n) => n.id !== targetId),
        edges: [...kept, ...joined],
      }
    }

    case 'insertBefore': {
      const id = nextId(
        'n',
        doc.nodes.map((n) => n.id),
      )
      const shifted = downstream(doc, targetId)
      const inserted: GraphNode = {
        id,
        type: fix.type as NodeType,
        params: paramsFor(fix.type, fix.params),
        position: { ...target.position },
      }
      const nodes: GraphNode[] = []
      for (const n of doc.nodes) {
        if (n.id === targetId) nodes.push(inserted)
        nodes.push(
          shifted.has(n.id)
            ? { ...n, position: { x: n.position.x + NODE_SPACING, y: n.position.y } }
            : n,
        )
      }
      // On a merge block the new node goes on one input (its port); elsewhere on the only one.
      const port = fix.port
      const moved = (e: GraphEdge) =>
        e.target === targetId && (port === undefined || e.targetPort === port)
      const edges = doc.edges.map((e): GraphEdge => {
        if (!moved(e)) return e
        const { targetPort: _port, ...rest } = e
        return { ...rest, target: id }
      })
      edges.push({
        id: nextId(
          'e',
          doc.edges.map((e) => e.id),
        ),
        source: id,
        target: targetId,
        ...(port === undefined ? {} : { targetPort: port }),
      })
      return { ...doc, nodes, edges }
    }
  }
  // A fix of an unknown kind (from untyped callers) changes nothing.
  return doc
}
