#!/usr/bin/env node
// `npx tensorloom …` is `@tensorloom/cli`'s `tensorloom` command.
import { main } from '@tensorloom/cli'

process.exitCode = await main(process.argv.slice(2))
