import type { VersionSummary } from '@/lib/documents.ts';

export function StatusBadge({ v }: { v: Pick<VersionSummary, 'status' | 'in_force'> }) {
  return (
    <>
      <span className={`badge ${v.status}`} data-testid="status">
        {v.status}
      </span>
      {v.in_force ? (
        <span className="badge inforce" style={{ marginLeft: 6 }}>
          in force
        </span>
      ) : null}
    </>
  );
}

/** A timestamp as `2025-09-20 09:00 UTC`. */
export function when(iso: string | null): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/:\d\dZ$|Z$/, '') + ' UTC';
}
