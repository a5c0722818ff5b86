import type { BackendName } from '../worker/protocol'
import { BACKEND_ORDER } from '../worker/protocol'

/** Options read from the page URL: `?maxSteps=200&backend=webgl`. */
export interface LaunchOptions {
  maxSteps: number | null
  backend: BackendName | null
  /** Test hook: lose the WebGL context after this many batches (`?loseWebGLContextAt=300`). */
  loseWebGLContextAt: number | null
}

export function readLaunchOptions(search: string): LaunchOptions {
  const params = new URLSearchParams(search)
  const steps = Number(params.get('maxSteps'))
  const backend = params.get('backend')
  const loseAt = Number(params.get('loseWebGLContextAt'))
  return {
    maxSteps: Number.isInteger(steps) && steps > 0 ? steps : null,
    backend: BACKEND_ORDER.find((b) => b === backend) ?? null,
    loseWebGLContextAt: Number.isInteger(loseAt) && loseAt > 0 ? loseAt : null,
  }
}
