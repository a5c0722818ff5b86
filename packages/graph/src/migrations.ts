import { isNodeType, nodeSpecs } from './specs.js'

/** A JSON object as read from a file. */
export type JsonObject = { [key: string]: unknown }

/** Turns a document of version N into one of version N + 1. Pure: returns a new object. */
export type Migration = (doc: JsonObject) => JsonObject

const snakeToCamel = (s: string): string =>
  s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Version 0 (the pre-release format) named parameters like PyTorch, in snake_case
 * (`in_features`, `batch_size`). Version 1 names them in camelCase (`inFeatures`, `batchSize`).
 */
const v0ToV1: Migration = (doc) => {
  const nodes = Array.isArray(doc.nodes)
    ? doc.nodes.map((node: unknown) => {
        if (!isObject(node) || !isObject(node.params)) return node
        const type = node.type
        const byLabel = new Map(
          isNodeType(type) ? nodeSpecs[type].params.map((p) => [p.label, p.name] as const) : [],
        )
        const params: JsonObject = {}
        for (const [key, value] of Object.entries(node.params)) {
          params[byLabel.get(key) ?? snakeToCamel(key)] = value
        }
        return { ...node, params }
      })
    : doc.nodes
  return { ...doc, version: 1, nodes }
}

/**
 * Version 1 networks were one chain: a node fed at most one node, and no block had more than one
 * input. Version 2 networks are graphs: outputs may feed several nodes and merge blocks (`Add`,
 * `Concat`, `Mul`) take their inputs on named ports (`targetPort` on edges). Every version 1
 * document is a valid version 2 document with the same meaning.
 */
const v1ToV2: Migration = (doc) => ({ ...doc, version: 2 })

/**
 * Forward migrations, keyed by the version they migrate from: `migrations[0]` turns a version 0
 * document into version 1. `parseGraph` applies them in order up to `CURRENT_VERSION`.
 */
export const migrations: Readonly<Record<number, Migration>> = Object.freeze({
  0: v0ToV1,
  1: v1ToV2,
})

/** The oldest document version that can still be migrated. */
export const OLDEST_VERSION = 0
