export interface ServiceConfig {
  service: string;
  available: boolean;
  config?: Record<string, unknown>;
  descriptions?: Record<string, string>;
  reason?: string;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '(unset)';
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.join(', ');
  return String(value);
}

/** A service's effective configuration as it reports it: secrets arrive already masked ("***"). */
export function ConfigTable({ entry }: { entry: ServiceConfig }) {
  if (!entry.available) return <p className="muted">{entry.reason}</p>;
  const rows = Object.entries(entry.config ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="scroll">
      <table className="table">
        <thead>
          <tr>
            <th>Variable</th>
            <th>Value</th>
            <th className="hide-narrow">Meaning</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, value]) => (
            <tr key={name}>
              <td>
                <code>{name}</code>
              </td>
              <td className={value === '***' ? 'masked' : undefined}>{show(value)}</td>
              <td className="hide-narrow muted">{entry.descriptions?.[name] ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
