/**
 * `npm run bench`: speed and memory as ratios against an alternative measured in
 * the same run. Machines are shared and noisy: read medians and ratios, not absolutes.
 * TFO_BENCH=native,pipeline,logs,footprint picks sections (default all).
 */
import { benchNative } from './native.bench'
import { benchFootprint } from './footprint.bench'
import { benchLogs } from './logs.bench'
import { benchPipeline } from './pipeline.bench'

const sections: Record<string, () => Promise<void>> = {
  native: benchNative,
  pipeline: benchPipeline,
  logs: benchLogs,
  footprint: benchFootprint,
}

async function main(): Promise<void> {
  const pick = (process.env.TFO_BENCH ?? Object.keys(sections).join(',')).split(',')
  for (const name of pick) {
    const run = sections[name.trim()]
    if (!run) throw new Error(`unknown bench section ${name}; known: ${Object.keys(sections).join(', ')}`)
    await run()
  }
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
