/**
 * A writer process for the buffer's crash tests: pushes batches with a forced disk write
 * (syncWrites, a cursor, or the outage mode that exports failing turn on) forever, printing "<id> <index>" once each push has resolved,
 * until the test SIGKILLs it. The batch's dataPoints is its index, so the reader can rebuild
 * every body with bodyFor(index), including one that committed but was never printed.
 *   node --import tsx __test__/helpers/buffer-writer.ts <path> sync|cursor|outage
 */
import { BatchBuffer } from '../../src/buffer'
import { bodyFor } from './buffer-bodies'

async function main(): Promise<void> {
  const [path, mode = 'sync'] = process.argv.slice(2)
  const buffer = await BatchBuffer.open({
    path,
    maxSizeBytes: 512 * 1024 * 1024,
    maxAgeMs: 24 * 3600_000,
    maxRetries: 5,
    memoryMaxBytes: 1024 * 1024,
    syncWrites: mode === 'sync',
  })
  if (mode === 'outage') await buffer.setOutage(true)
  for (let index = 1; ; index++) {
    const cursor = mode === 'cursor' ? { key: '/var/log/app.log', value: { offset: index } } : undefined
    const batch = await buffer.push({ signal: 'logs', body: bodyFor(index), dataPoints: index }, { cursor })
    process.stdout.write(`${batch.id} ${index}\n`)
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
