import { useEffect } from 'react'
import { useStudio } from '../store/useStudio'

const DISMISS_AFTER_MS = 7000

/** The latest notice (an import error, a saved file…); errors stay until dismissed. */
export function NoticeBar() {
  const notice = useStudio((s) => s.notice)
  const dismiss = useStudio((s) => s.dismissNotice)
  useEffect(() => {
    if (!notice || notice.kind === 'error') return
    const timer = setTimeout(dismiss, DISMISS_AFTER_MS)
    return () => clearTimeout(timer)
  }, [notice, dismiss])
  if (!notice) return null
  return (
    <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      <span data-testid="notice-text">{notice.text}</span>
      <button type="button" onClick={dismiss} aria-label="Dismiss">
        ✕
      </button>
    </div>
  )
}
