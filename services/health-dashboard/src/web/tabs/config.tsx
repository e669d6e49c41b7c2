import { usePoll } from '../api';
import { ApiDocsLinks } from '../components/api-docs-links';
import { ConfigTable, type ServiceConfig } from '../components/config-table';
import { Card, ErrorNote, Loading } from '../components/ui';

/** Every service's effective configuration, read-only, secrets masked by the services themselves. */
export function Config() {
  const config = usePoll<{ services: ServiceConfig[] }>('admin/v1/config');
  return (
    <div className="grid">
      <Loading when={config.loading} />
      <ErrorNote error={config.error} />
      {(config.data?.services ?? []).map((entry) => (
        <Card key={entry.service} title={entry.service} wide testId={`config-${entry.service}`}>
          <ConfigTable entry={entry} />
        </Card>
      ))}
      <p className="muted">Read-only: change settings through the environment and restart.</p>
      <Card title="API docs" wide testId="api-docs-card">
        <ApiDocsLinks />
      </Card>
    </div>
  );
}
