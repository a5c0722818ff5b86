/** '101,770' */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}
