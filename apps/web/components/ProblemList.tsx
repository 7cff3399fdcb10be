/** A problem as the API sends it (`{"errors": [...]}`): what a page shows of it. */
export interface ShownProblem {
  code: string;
  message: string;
  /** A JSON pointer into the request (`/request/duration_s`), where the problem is in the request. */
  path?: string;
  /** The CLI's rendering, `file:line:col: CODE message`, where the problem is in a rule file or an upload. */
  formatted?: string;
}

/**
 * The problems an answer reported, as one alert: each with its place, the file position when it is
 * in a file (as the CLI prints it), otherwise its code, message and the request field it names.
 */
export function ProblemList({ list, testId }: { list: readonly ShownProblem[]; testId: string }) {
  if (list.length === 0) return null;
  return (
    <div className="notice error" role="alert" data-testid={testId}>
      {list.map((e, i) =>
        e.formatted ? (
          <div key={i} className="mono small">
            {e.formatted}
          </div>
        ) : (
          <div key={i}>
            <strong className="mono">{e.code}</strong> {e.message}
            {e.path ? <span className="muted"> (at {e.path})</span> : null}
          </div>
        ),
      )}
    </div>
  );
}
