import { PROXY_ROUTES } from '../../server/upstreams';
import { withBase } from '../base-path';

/** A link per service to its API docs (Swagger UI) and OpenAPI description, through this dashboard's proxy. */
export function ApiDocsLinks() {
  return (
    <ul className="api-docs" data-testid="api-docs">
      {Object.entries(PROXY_ROUTES).map(([prefix, service]) => (
        <li key={prefix}>
          <a href={withBase(`/api/${prefix}/docs/`)} target="_blank" rel="noreferrer">
            {service}
          </a>{' '}
          <a className="muted" href={withBase(`/api/${prefix}/openapi.json`)} target="_blank" rel="noreferrer">
            openapi.json
          </a>
        </li>
      ))}
    </ul>
  );
}
