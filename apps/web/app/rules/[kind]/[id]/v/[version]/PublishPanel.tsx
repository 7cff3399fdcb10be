'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ProblemList, type ShownProblem } from '@/components/ProblemList.tsx';


/** POSTs a review step; refreshes the page when it is done, or returns the problems. */
function useStep(url: string) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<ShownProblem[]>([]);
  const run = async (body: Record<string, unknown>) => {
    setBusy(true);
    setErrors([]);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    setBusy(false);
    if (res.ok) router.refresh();
    else setErrors(((await res.json()) as { errors: ShownProblem[] }).errors);
  };
  return { busy, errors, run };
}

/** Submits a draft for review: the note (what changed and why) is required. */
export function SubmitForm({ apiPath, version, resubmit }: { apiPath: string; version: number; resubmit: boolean }) {
  const [note, setNote] = useState('');
  const step = useStep(`${apiPath}/submit`);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void step.run({ note });
      }}
    >
      <ProblemList list={step.errors} testId="submit-errors" />
      <div className="form-row">
        <label className="field" style={{ flex: 1, maxWidth: 640 }}>
          Note for the approver (required): what changed and why
          <input value={note} onChange={(e) => setNote(e.target.value)} required data-testid="submit-note" />
        </label>
        <button className="btn primary" type="submit" disabled={step.busy || note.trim() === ''} data-testid="submit-review">
          {step.busy ? 'Submitting…' : `${resubmit ? 'Submit again' : 'Submit'} v${version} for review`}
        </button>
      </div>
    </form>
  );
}

/** An approver's decision, after reading the diff and the impact above: approve, or reject with a comment. */
export function DecisionForm({ apiPath, version }: { apiPath: string; version: number }) {
  const [note, setNote] = useState('');
  const step = useStep(`${apiPath}/review`);
  return (
    <div>
      <ProblemList list={step.errors} testId="review-errors" />
      <div className="form-row">
        <label className="field" style={{ flex: 1, maxWidth: 640 }}>
          Comment (required to reject)
          <input value={note} onChange={(e) => setNote(e.target.value)} data-testid="review-note" />
        </label>
        <button className="btn primary" type="button" disabled={step.busy} onClick={() => void step.run({ decision: 'approve', note })} data-testid="approve">
          Approve v{version}
        </button>
        <button className="btn danger" type="button" disabled={step.busy || note.trim() === ''} onClick={() => void step.run({ decision: 'reject', note })} data-testid="reject">
          Reject
        </button>
      </div>
    </div>
  );
}

/**
 * Publishes an approved draft, after a confirmation that says what goes live and when. A date before
 * today is refused, unless the user is an approver and gives a reason (recorded in the trail); so is a
 * rate card over its publish guardrail (`guardrail`: the limits it is over), which needs an approver's override.
 */
export function PublishForm({ apiPath, id, version, defaultDate, minDate, today, canBackdate, guardrail }: { apiPath: string; id: string; version: number; defaultDate: string; minDate: string | null; today: string; canBackdate: boolean; guardrail: readonly string[] }) {
  const [date, setDate] = useState(defaultDate);
  const [reason, setReason] = useState('');
  const [override, setOverride] = useState('');
  const guarded = guardrail.length > 0;
  // Only an approver may override the guardrail (the API refuses anyone else, and anyone without a reason).
  const canOverride = canBackdate;
  const [confirming, setConfirming] = useState(false);
  const step = useStep(`${apiPath}/publish`);
  const past = date !== '' && date < today;
  const floor = canBackdate ? (minDate ?? undefined) : [minDate, today].filter((d): d is string => d !== null).sort().pop();
  return (
    <div>
      <ProblemList list={step.errors} testId="publish-errors" />
      <form
        className="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          setConfirming(true);
        }}
      >
        <label className="field">
          Effective from
          <input type="date" value={date} min={floor} onChange={(e) => { setDate(e.target.value); setConfirming(false); }} required data-testid="effective-from" />
        </label>
        {past && canBackdate ? (
          <label className="field" style={{ flex: 1, maxWidth: 460 }}>
            Reason for a date in the past (required, recorded)
            <input value={reason} onChange={(e) => setReason(e.target.value)} required data-testid="backdate-reason" />
          </label>
        ) : null}
        {guarded && canOverride ? (
          <label className="field" style={{ flex: 1, maxWidth: 460 }}>
            Override the guardrail: reason (required, recorded)
            <input value={override} onChange={(e) => setOverride(e.target.value)} required data-testid="guardrail-override" />
          </label>
        ) : null}
        <button className="btn primary" type="submit" disabled={step.busy || confirming || (guarded && !canOverride)} data-testid="publish">
          Publish v{version}…
        </button>
        {guarded && !canOverride ? <span className="small pos" data-testid="guardrail-needs-approver">Over the guardrail: only an approver may publish it, with an override reason.</span> : null}
        {past && !canBackdate ? <span className="small pos" data-testid="past-date">{date} is in the past: only an approver may backdate, with a reason.</span> : null}
        <span className="small muted" style={{ maxWidth: 420 }}>Publishing freezes this version: it can never change again. Later edits become new versions.</span>
      </form>
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-label="Confirm publishing" data-testid="confirm-publish">
          <p>
            <strong>Publish {id} v{version}, in force from {date}{past ? ` (backdated: ${reason || 'no reason given'})` : ''}{guarded ? ` over the guardrail (${guardrail.join('; ')}), overridden: ${override || 'no reason given'}` : ''}?</strong> From that date every quote,
            forecast and export uses it. It cannot be edited afterwards{date > today ? '; until then it can be withdrawn' : ''}.
          </p>
          <div className="actions">
            <button className="btn primary" type="button" disabled={step.busy} data-testid="confirm-publish-yes" onClick={() => void step.run({ effective_from: date, ...(past ? { backdate_reason: reason } : {}), ...(guarded ? { guardrail_override: override } : {}) }).then(() => setConfirming(false))}>
              {step.busy ? 'Publishing…' : `Yes, publish v${version}`}
            </button>
            <button className="btn" type="button" onClick={() => setConfirming(false)} data-testid="confirm-publish-no">Cancel</button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

/** Withdraws a scheduled version before it takes effect (a reason is required). */
export function WithdrawForm({ apiPath, version, effective }: { apiPath: string; version: number; effective: string }) {
  const [note, setNote] = useState('');
  const step = useStep(`${apiPath}/withdraw`);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (window.confirm(`Withdraw v${version}? It will never take effect on ${effective}.`)) void step.run({ note });
      }}
    >
      <ProblemList list={step.errors} testId="withdraw-errors" />
      <div className="form-row">
        <label className="field" style={{ flex: 1, maxWidth: 640 }}>
          Reason (required)
          <input value={note} onChange={(e) => setNote(e.target.value)} required data-testid="withdraw-note" />
        </label>
        <button className="btn danger" type="submit" disabled={step.busy || note.trim() === ''} data-testid="withdraw">
          Withdraw v{version}
        </button>
      </div>
    </form>
  );
}
