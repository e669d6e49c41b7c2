// Every panel of the provisioned Grafana dashboards (deploy/grafana/dashboards), run as Grafana runs it against a
// real InfluxDB holding a simulated home written by HomeIQ: each layout's dashboard on a store of that layout.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { InfluxStore } from '../src/influx/influx-store';
import { homeEvents, homeStatistics, RANGE, writtenNumbers } from './grafana-home';
import {
  dropDatabase,
  freshDatabase,
  type InfluxServer,
  influxd,
  openStore,
  querySeries,
  type Series,
  startInfluxd,
} from './influx-helpers';

interface Panel {
  title: string;
  targets: Array<{ query: string }>;
}
interface Dashboard {
  panels: Panel[];
  templating: { list: Array<{ name: string; query: string }> };
}

const dashboardFile = (name: string) =>
  fileURLToPath(new URL(`../../../deploy/grafana/dashboards/${name}`, import.meta.url));

const escapeRegex = (v: string) => v.replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&');

/** Grafana's InfluxQL interpolation: $timeFilter in ms, $__interval, a multi-value variable as (a|b) in a regex. */
function interpolate(query: string, variables: Record<string, string[]>, interval: string): string {
  let q = query
    .replaceAll(
      '$timeFilter',
      `time >= ${Math.floor(RANGE.from / 1000)}ms and time <= ${Math.floor(RANGE.to / 1000)}ms`,
    )
    .replaceAll('$__interval', interval);
  for (const [name, values] of Object.entries(variables))
    q = q.replaceAll(`$${name}`, `(${values.map(escapeRegex).join('|')})`);
  assert.doesNotMatch(q, /\$[A-Za-z_]/, `every macro substituted: ${q}`);
  return q;
}

const total = (series: Series[]) => series.reduce((n, s) => n + s.values.reduce((m, v) => m + Number(v[1] ?? 0), 0), 0);
const numbers = (series: Series[]) =>
  series.flatMap((s) => s.values.map((v) => v[1])).filter((v) => typeof v === 'number');

function assertWithin(values: number[], written: number[], title: string): void {
  assert.ok(values.length > 0, title);
  const [min, max] = [Math.min(...written), Math.max(...written)];
  for (const v of values) assert.ok(v >= min && v <= max, `${title}: ${v} outside [${min}, ${max}]`);
}

const DOMAIN_COUNTS: Record<string, number> = { sensor: 96 };
const byUnit = (unit: string) => writtenNumbers((e) => e.attributes.unit_of_measurement === unit);

/** What each panel must answer, by title; both layouts hold the same home. */
function check(layout: string, title: string, series: Series[]): void {
  assert.ok(series.length > 0 && numbers(series).length + series.length > 0, `${title}: no data`);
  const domain = /^Domain (\w+)/.exec(title)?.[1];
  if (title.startsWith('Home overview')) assert.equal(total(series), layout === 'homeiq' ? 312 : 288, title);
  else if (domain && (layout === 'homeiq' || domain === 'sensor'))
    assert.equal(total(series), DOMAIN_COUNTS[domain] ?? 24, title);
  else if (domain || title.startsWith('Binary sensors')) assertWithin(numbers(series), [0, 1], title);
  else if (title.startsWith('Energy: power')) assertWithin(numbers(series), byUnit('W'), title);
  else if (title.startsWith('Energy: consumed')) assert.deepEqual(numbers(series), [5.75], title);
  else if (title.startsWith('Climate')) {
    assertWithin(numbers(series), byUnit('°C'), title);
    assert.equal(series.length, 2, 'one series per temperature sensor');
  } else if (title.startsWith('Presence')) {
    const last = Object.fromEntries(series.map((s) => [s.tags?.entity_id, s.values[0]?.[1]]));
    const anna = layout === 'homeiq' ? 'person.anna' : 'anna';
    const ben = layout === 'homeiq' ? 'person.ben' : 'ben';
    assert.deepEqual(last, { [anna]: 'not_home', [ben]: 'home' }, title);
  } else if (title.includes('events stored')) assert.equal(total(series), 312, title);
  else if (title.includes('statistics compiled')) assert.equal(total(series), 24, title);
  else assert.fail(`no expectation for panel "${title}"`);
}

for (const [layout, file] of [
  ['homeiq', 'homeiq-layout.json'],
  ['home-assistant', 'home-assistant-layout.json'],
] as const) {
  describe(`Grafana dashboard ${file} on the ${layout} layout`, { skip: influxd.skip }, () => {
    const dashboard = JSON.parse(readFileSync(dashboardFile(file), 'utf8')) as Dashboard;
    const database = freshDatabase('grafana');
    let server: InfluxServer;
    let store: InfluxStore;
    const variables: Record<string, string[]> = {};

    before(async () => {
      server = await startInfluxd();
      store = await openStore(server, database, { INFLUXDB_LAYOUT: layout });
      assert.deepEqual((await store.writeEvents(homeEvents())).rejected, []);
      await store.writeStatistics(homeStatistics());
      for (const v of dashboard.templating.list) {
        variables[v.name] = (await querySeries(server, database, v.query)).flatMap((s) =>
          s.values.map((row) => String(row[1])),
        );
        assert.equal(variables[v.name]?.length, 2, `variable ${v.name}`);
      }
    });
    after(async () => {
      await store?.close();
      if (server) {
        await dropDatabase(server, database);
        await server.stop();
      }
    });

    for (const panel of dashboard.panels) {
      test(panel.title, async () => {
        for (const target of panel.targets) {
          check(layout, panel.title, await querySeries(server, database, interpolate(target.query, variables, '10m')));
        }
      });
    }
  });
}
