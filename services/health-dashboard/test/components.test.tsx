import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderToStaticMarkup } from 'react-dom/server';
import { Dashboard } from '../src/web/app';
import { AlertList } from '../src/web/components/alert-list';
import { ApiDocsLinks } from '../src/web/components/api-docs-links';
import { ConfigTable } from '../src/web/components/config-table';
import { EventTable } from '../src/web/components/event-table';
import { ServiceTiles } from '../src/web/components/service-tiles';
import { SimulatedBanner } from '../src/web/components/simulated-banner';
import { TimeChart, xRange } from '../src/web/components/time-chart';
import { ProgressBar } from '../src/web/components/ui';
import { bytes, duration, numeric } from '../src/web/format';
import { tabOf } from '../src/web/router';
import { historySeries } from '../src/web/tabs/entity-page';
import { SignIn } from '../src/web/tabs/sign-in';

const html = (el: React.ReactElement) => renderToStaticMarkup(el);

describe('dashboard components (rendered with react-dom/server)', () => {
  test('API docs: one link per proxied service to its Swagger UI and its OpenAPI description', () => {
    const out = html(<ApiDocsLinks />);
    for (const prefix of ['data', 'admin', 'retention', 'weather', 'sports', 'ingestion']) {
      assert.ok(out.includes(`href="/api/${prefix}/docs/"`), `${prefix} docs link`);
      assert.ok(out.includes(`href="/api/${prefix}/openapi.json"`), `${prefix} openapi link`);
    }
    assert.match(out, />data-api</);
  });

  test('service tiles show status, reasons, and a stopped service as not running', () => {
    const out = html(
      <ServiceTiles
        services={[
          {
            name: 'data-api',
            running: true,
            inProcess: true,
            status: 'healthy',
            reasons: [],
            uptimeSeconds: 3700,
            responseMs: 3,
          },
          {
            name: 'weather-api',
            running: true,
            inProcess: false,
            status: 'degraded',
            reasons: ['provider: HTTP 500'],
            uptimeSeconds: 5,
            responseMs: 9,
          },
          {
            name: 'sports-data',
            running: false,
            inProcess: false,
            status: 'unhealthy',
            reasons: ['not running (nothing listens at x)'],
            uptimeSeconds: null,
            responseMs: 1,
          },
        ]}
      />,
    );
    assert.match(out, /data-testid="tile-data-api"/);
    assert.match(out, /up 1 h 1 min/);
    assert.match(out, /<li>provider: HTTP 500<\/li>/);
    assert.match(out, /class="tile unhealthy" data-testid="tile-sports-data"/);
    assert.match(out, /badge unhealthy">not running</);
  });

  test('alerts: active ones get an Acknowledge button, acknowledged and resolved ones do not', () => {
    const base = { severity: 'critical' as const, since: '2026-01-01T00:00:00Z', resolvedAt: null };
    const out = html(
      <AlertList
        onAck={() => undefined}
        alerts={[
          { ...base, id: 'disk-low', message: 'free disk 5%', active: true, acknowledged: false },
          { ...base, id: 'ha-disconnected', message: 'HA gone', active: true, acknowledged: true },
          {
            ...base,
            id: 'spool-growing',
            message: 'old',
            active: false,
            acknowledged: false,
            resolvedAt: '2026-01-01T01:00:00Z',
          },
        ]}
      />,
    );
    assert.equal(out.match(/Acknowledge<\/button>/g)?.length, 1);
    assert.match(out, /data-testid="alert-disk-low"><div><strong>critical<\/strong> free disk 5%/);
    assert.match(out, /alert resolved/);
    assert.match(html(<AlertList alerts={[]} />), /No alerts/);
  });

  test('the simulated-home banner appears only for the simulated home', () => {
    assert.match(html(<SimulatedBanner simulated />), /SIMULATED HOME/);
    assert.equal(html(<SimulatedBanner simulated={false} />), '');
    assert.equal(html(<SimulatedBanner simulated={null} />), '');
  });

  test('config table shows masked secrets as they arrive and says why a service is missing', () => {
    const out = html(
      <ConfigTable
        entry={{
          service: 'data-api',
          available: true,
          config: { API_KEY: '***', LOG_LEVEL: 'info', ENTITY_INCLUDE: [], HA_TOKEN: null },
          descriptions: { LOG_LEVEL: 'Log level' },
        }}
      />,
    );
    assert.match(out, /<td class="masked">\*\*\*<\/td>/);
    assert.match(out, /\(empty\)/);
    assert.match(out, /\(unset\)/);
    assert.ok(out.indexOf('API_KEY') < out.indexOf('LOG_LEVEL'), 'sorted by name');
    assert.match(
      html(<ConfigTable entry={{ service: 'x', available: false, reason: 'not running' }} />),
      /not running/,
    );
  });

  test('event rows link to the entity page and mark removals', () => {
    const out = html(
      <EventTable
        events={[
          {
            entity_id: 'sensor.t',
            state: '21.5',
            last_updated: '2026-01-01T00:00:00Z',
            last_changed: '',
            attributes: { unit_of_measurement: '°C' },
            area_id: 'kitchen',
          },
          {
            entity_id: 'light.x',
            state: '',
            last_updated: '2026-01-01T00:00:01Z',
            last_changed: '',
            attributes: {},
            area_id: null,
            removed: true,
          },
        ]}
      />,
    );
    assert.match(out, /href="\/entities\/sensor.t"/);
    assert.match(out, /21.5 °C/);
    assert.match(out, /<em>removed<\/em>/);
  });

  test('chart and progress bar render their containers', () => {
    assert.match(
      html(<TimeChart x={[1, 2, 3]} series={[{ label: 'v', values: [1, null, 3] }]} testId="c" />),
      /data-points="3"/,
    );
    assert.match(html(<ProgressBar value={0.42} />), /aria-valuenow="42".*width:42%/);
  });

  test('the app shell marks the current tab and renders the entity page for deep links', () => {
    const shell = (path: string) => html(<Dashboard initialPath={path} who="signed in" onSignOut={() => undefined} />);
    const config = shell('/config');
    assert.match(config, /Sign out/);
    assert.match(config, /<a href="\/config" class="tab active">Config<\/a>/);
    assert.equal(config.match(/class="tab"/g)?.length, 5);
    assert.match(shell('/entities/sensor.kitchen_temperature'), /sensor.kitchen_temperature/);
    assert.equal(tabOf('/entities/sensor.x'), '/entities');
    assert.equal(tabOf('/nowhere'), '/');
  });

  test('the sign-in page offers the password only when set, and Home Assistant only when configured', () => {
    const keyOnly = html(
      <SignIn methods={{ apiKey: true, password: false, homeAssistant: false }} onSignedIn={() => undefined} />,
    );
    assert.match(keyOnly, /API key/);
    assert.doesNotMatch(keyOnly, /Password|Home Assistant/);
    const all = html(
      <SignIn methods={{ apiKey: true, password: true, homeAssistant: true }} onSignedIn={() => undefined} />,
    );
    assert.match(all, /Dashboard password/);
    assert.match(all, /<a class="button" href="\/auth\/ha\/start">Sign in with Home Assistant<\/a>/);
  });
});

describe('dashboard helpers', () => {
  test('history becomes a numeric series, or a stepped on/off one', () => {
    const num = historySeries([
      { state: '20.5', last_changed: '2026-01-01T00:00:00Z' },
      { state: 'unavailable', last_changed: '2026-01-01T00:01:00Z' },
      { state: '21', last_changed: '2026-01-01T00:02:00Z' },
    ]);
    assert.equal(num.numeric, true);
    assert.deepEqual(num.y, [20.5, null, 21]);
    const onOff = historySeries([
      { state: 'off', last_changed: '2026-01-01T00:00:00Z' },
      { state: 'on', last_changed: '2026-01-01T00:01:00Z' },
    ]);
    assert.deepEqual(onOff, { x: [1767225600, 1767225660], y: [0, 1], numeric: false });
    const held = historySeries([{ state: 'on', last_changed: '2026-01-01T00:00:00Z' }], 1767225700);
    assert.deepEqual(held.x, [1767225600, 1767225700], 'the last state holds until now');
    assert.deepEqual(held.y, [1, 1]);
  });

  test('chart x window: as asked, else the data span, widened around a single point', () => {
    assert.deepEqual(xRange([100, 200], [0, 1000]), [0, 1000]);
    assert.deepEqual(xRange([100, 150, 200]), [100, 200]);
    assert.deepEqual(xRange([100]), [40, 160]);
    const empty = xRange([]);
    assert.equal(empty[1] - empty[0], 60);
  });

  test('formatting', () => {
    assert.equal(bytes(0), '0 B');
    assert.equal(bytes(1536), '1.5 KiB');
    assert.equal(bytes(128 * 1024 * 1024), '128 MiB');
    assert.equal(duration(59), '59 s');
    assert.equal(duration(90_000), '1 d 1 h');
    assert.equal(numeric('on'), null);
    assert.equal(numeric('-3.5'), -3.5);
  });
});
