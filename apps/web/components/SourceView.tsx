/** Read-only source with line numbers (the file as stored). */
export function SourceView({ text }: { text: string }) {
  const lines = text.replace(/\n$/, '').split('\n');
  return (
    <pre className="source" data-testid="source">
      {lines.map((l, i) => (
        <div key={i}>
          <span className="ln">{i + 1}</span>
          {l}
        </div>
      ))}
    </pre>
  );
}
