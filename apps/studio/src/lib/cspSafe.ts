import { config } from 'zod'

// Imported first by the page and by the worker, before @tensorloom/graph builds its schemas: zod
// otherwise probes `new Function('')` to decide whether to compile fast parsers, which the
// studio's Content-Security-Policy (no 'unsafe-eval') refuses and reports as a violation.
config({ jitless: true })
