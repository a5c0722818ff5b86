// Writes src/optim/loops.generated.ts from the update rules: `pnpm --filter @tensorloom/train generate`.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { updateLoopsModule } from '../src/optim/loopsModule'

const file = fileURLToPath(new URL('../src/optim/loops.generated.ts', import.meta.url))
writeFileSync(file, updateLoopsModule())
execFileSync('npx', ['biome', 'format', '--write', file], { stdio: 'inherit' })
