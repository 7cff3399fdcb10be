'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';

interface Problem {
  code: string;
  message: string;
  formatted?: string;
}

/** Sets the effective date of a draft and publishes it (editors only). */
export function PublishPanel({ apiPath, version, defaultDate, minDate }: { apiPath: string; version: number; defaultDate: string; minDate: string | null }) {
  const router = useRouter();
  const [date, setDate] = useState(defaultDate);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Problem[]>([]);
  return (
    <div>
      {errors.length > 0 ? (
        <div className="notice error" role="alert" data-testid="publish-errors">
          {errors.map((e, i) => (
            <div key={i}>
              <strong>{e.code}</strong> {e.message}
            </div>
          ))}
        </div>
      ) : null}
      <form
        className="form-row"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setErrors([]);
          const res = await fetch(`${apiPath}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ effective_from: date }) });
          setBusy(false);
          if (res.ok) router.refresh();
          else setErrors(((await res.json()) as { errors: Problem[] }).errors);
        }}
      >
        <label className="field">
          Effective from
          <input type="date" value={date} min={minDate ?? undefined} onChange={(e) => setDate(e.target.value)} required data-testid="effective-from" />
        </label>
        <button className="btn primary" type="submit" disabled={busy} data-testid="publish">
          {busy ? 'Publishing…' : `Publish v${version}`}
        </button>
        <span className="small muted" style={{ maxWidth: 420 }}>Publishing freezes this version: it can never change again. Later edits become new versions.</span>
      </form>
    </div>
  );
}
