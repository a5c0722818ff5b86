import { useStudio } from '../store/useStudio'
import { recoveryMessage } from '../worker/recovery'

/** Says that the backend failed mid-run and where the run resumed, on which backend. */
export function RecoveryNotice() {
  const recovery = useStudio((s) => s.run.recovery)
  if (!recovery) return null
  return (
    <div className="issue-card warning" role="status" data-testid="recovery">
      <strong>{recoveryMessage(recovery)}</strong> The batches after that checkpoint were trained
      again on {recovery.to}, so the charts and results are those of one consistent run. (Cause:{' '}
      {recovery.cause}.)
    </div>
  )
}
