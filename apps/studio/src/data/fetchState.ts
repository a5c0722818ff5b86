/** Where a palette dataset's download stands (FashionMNIST when the build does not bundle it). */
export interface FetchState {
  state: 'downloading' | 'ready' | 'failed'
  message?: string
  loaded?: number
  total?: number | null
}
