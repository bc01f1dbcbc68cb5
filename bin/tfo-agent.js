#!/usr/bin/env node
'use strict'
// `start` replaces this process with node run under the agent's V8 flags (see
// src/cli/node-flags.ts); it returns here only for other commands or when that fails.
require('../dist/cli/node-flags.js').restartInPlace()
require('../dist/cli/main.js')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code
    // The command has finished (an agent has stopped and said so): a straggling socket or
    // timer must not keep the process up. Unref'd, so it never delays a clean exit.
    setTimeout(() => process.exit(code), 2000).unref()
  })
