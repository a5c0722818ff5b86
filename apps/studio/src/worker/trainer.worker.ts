import '../lib/cspSafe'
import { createTrainerHost } from './host'
import type { MessageEndpoint } from './protocol'

createTrainerHost(
  self as unknown as MessageEndpoint,
  async () => {
    const { createTfjsEngine } = await import('./engine')
    return createTfjsEngine()
  },
  async () => (await import('./importData')).dataHandlers,
)
