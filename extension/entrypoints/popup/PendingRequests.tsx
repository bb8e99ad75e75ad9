import { KeyRequestList } from '../../components/KeyRequests';

/** Admins: key requests waiting for an answer, with Approve / Deny right in the popup; nothing while none wait. */
export function PendingRequests({ teamId }: { teamId: string }) {
  return (
    // A plain box, not a landmark: while nothing waits it is empty.
    <div class="section">
      <KeyRequestList
        teamId={teamId}
        state="pending"
        emptyText={null}
        heading={
          <div class="section-head">
            <h2>Key requests</h2>
          </div>
        }
      />
    </div>
  );
}
