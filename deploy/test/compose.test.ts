import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES, SERVICES, serviceUrlEnv } from '@homeiq/core';
import { requireExecutable } from '@homeiq/core/testing/dependency';
import { parse } from 'yaml';
import { envVarsReadByCode } from './env-usage';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(join(root, file), 'utf8');

type ComposeService = {
  build?: { dockerfile?: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[]; start_period?: string };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { resources?: { limits?: { memory?: string; cpus?: string } } };
  read_only?: boolean;
  tmpfs?: string[];
  security_opt?: string[];
  cap_drop?: string[];
  cap_add?: string[];
  user?: string;
  restart?: string;
  logging?: { driver: string; options: Record<string, string> };
  ports?: string[];
};
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const node = SERVICE_NAMES.filter((n) => n !== 'health-dashboard');

/** The seed's NUC limits; the rest are sized in docker-compose.yml with the reason beside each. */
const SEED_LIMITS: Record<string, { memory: string; cpus: string }> = {
  'websocket-ingestion': { memory: '256M', cpus: '0.5' },
  'data-api': { memory: '128M', cpus: '0.3' },
  'admin-api': { memory: '128M', cpus: '0.3' },
  'health-dashboard': { memory: '64M', cpus: '0.2' },
  influxdb: { memory: '256M', cpus: '0.5' },
};

// Distinct values, so the resolved files show which secret reaches which container.
const composeEnv = {
  INFLUXDB_ADMIN_TOKEN: 'operator-token-value',
  INFLUXDB_WRITER_TOKEN: 'writer-token-value',
  INFLUXDB_READER_TOKEN: 'reader-token-value',
  INFLUXDB_RETENTION_TOKEN: 'retention-token-value',
  API_KEY: 'compose-test-key-0123456789',
  HA_URL: 'http://ha.local:8123',
  HA_TOKEN: 'ha-token',
  INFLUXDB_ADMIN_PASSWORD: 'password',
};

describe('docker compose files', () => {
  const dc = requireExecutable('docker-compose (Debian package docker-compose)', ['docker-compose']);
  for (const overlay of [[], ['docker-compose.dev.yml'], ['docker-compose.prod.yml']]) {
    test(`docker-compose config accepts docker-compose.yml ${overlay.join(' ')}`, { skip: dc.skip }, () => {
      const files = ['docker-compose.yml', ...overlay].flatMap((f) => ['-f', f]);
      const out = execFileSync(dc.path ?? 'docker-compose', [...files, 'config', '--quiet'], {
        cwd: root,
        env: { ...process.env, ...composeEnv },
        encoding: 'utf8',
      });
      assert.equal(out.trim(), '');
    });
  }

  /** `docker-compose config` of docker-compose.yml plus overlays: the files as compose resolves them. */
  const resolved = (...overlay: string[]) => {
    const files = ['docker-compose.yml', ...overlay].flatMap((f) => ['-f', f]);
    const out = execFileSync(dc.path ?? 'docker-compose', [...files, 'config'], {
      cwd: root,
      env: { ...process.env, ...composeEnv },
      encoding: 'utf8',
    });
    return (parse(out) as { services: Record<string, ComposeService> }).services;
  };

  test('each service gets its own least-privilege InfluxDB token; the operator token reaches influxdb alone', {
    skip: dc.skip,
  }, () => {
    const services = resolved();
    const expected: Record<string, string | undefined> = {
      'websocket-ingestion': composeEnv.INFLUXDB_WRITER_TOKEN,
      'weather-api': composeEnv.INFLUXDB_WRITER_TOKEN,
      'sports-data': composeEnv.INFLUXDB_WRITER_TOKEN,
      'data-api': composeEnv.INFLUXDB_READER_TOKEN,
      'admin-api': composeEnv.INFLUXDB_READER_TOKEN,
      'data-retention': composeEnv.INFLUXDB_RETENTION_TOKEN,
      'health-dashboard': undefined,
    };
    for (const [name, token] of Object.entries(expected)) {
      const env = services[name]?.environment ?? {};
      assert.equal(env.INFLUXDB_TOKEN, token, `${name} INFLUXDB_TOKEN`);
      assert.ok(!Object.values(env).includes(composeEnv.INFLUXDB_ADMIN_TOKEN), `${name} never sees the operator token`);
    }
    assert.equal(services.influxdb?.environment?.DOCKER_INFLUXDB_INIT_ADMIN_TOKEN, composeEnv.INFLUXDB_ADMIN_TOKEN);
  });

  for (const overlay of [[], ['docker-compose.prod.yml']]) {
    test(`only the dashboard publishes a port (docker-compose.yml ${overlay.join(' ')})`, { skip: dc.skip }, () => {
      const services = resolved(...overlay);
      const published = Object.entries(services)
        .filter(([, svc]) => (svc.ports ?? []).length > 0)
        .map(([name]) => name)
        .filter((name) => name !== 'grafana');
      assert.deepEqual(published, ['health-dashboard']);
      for (const port of services.grafana?.ports ?? []) {
        const ip = typeof port === 'string' ? port.split(':')[0] : (port as { host_ip?: string }).host_ip;
        assert.equal(ip, '127.0.0.1', 'the optional grafana is published on loopback only');
      }
    });
  }

  test('the dev overlay publishes the services on loopback only, and the dashboard once', { skip: dc.skip }, () => {
    const services = resolved('docker-compose.dev.yml');
    assert.equal(services['health-dashboard']?.ports?.length, 1, 'one mapping of the dashboard port');
    for (const [name, svc] of Object.entries(services)) {
      if (name === 'health-dashboard') continue;
      for (const port of svc.ports ?? []) {
        const ip = typeof port === 'string' ? port.split(':')[0] : (port as { host_ip?: string }).host_ip;
        assert.equal(ip, '127.0.0.1', `${name} ${JSON.stringify(port)}`);
      }
    }
  });

  test('every container drops all capabilities and adds none back; influxdb runs unprivileged on a read-only root', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      assert.deepEqual(svc.cap_drop, ['ALL'], `${name} cap_drop`);
      assert.equal(svc.cap_add, undefined, `${name} cap_add`);
    }
    const influx = compose.services.influxdb;
    assert.match(influx?.user ?? '', /^[1-9]\d*:[1-9]\d*$/, 'influxdb runs as a non-root user');
    assert.equal(influx?.read_only, true);
    assert.ok(influx?.tmpfs?.some((t) => t.startsWith('/tmp')));
    assert.deepEqual(
      (influx?.volumes ?? []).map((v) => v.split(':')[1]).sort(),
      ['/etc/influxdb2', '/var/lib/influxdb2'],
      'influxd writes only to its volumes',
    );
  });

  test('every service is there, plus InfluxDB 2.7 initialised through its env', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), [...SERVICE_NAMES, 'grafana', 'influxdb'].sort());
    const influx = compose.services.influxdb as ComposeService & { image: string };
    assert.match(influx.image, /^influxdb:2\.7/);
    const env = influx.environment ?? {};
    assert.equal(env.DOCKER_INFLUXDB_INIT_MODE, 'setup');
    assert.match(env.DOCKER_INFLUXDB_INIT_BUCKET ?? '', /home_assistant_events/);
    for (const key of ['DOCKER_INFLUXDB_INIT_ORG', 'DOCKER_INFLUXDB_INIT_ADMIN_TOKEN']) assert.ok(env[key], key);
  });

  test('ports and health paths agree with the code', () => {
    for (const name of node) {
      const svc = compose.services[name];
      const { port, portEnv } = SERVICES[name];
      assert.equal(svc?.build?.args?.PORT, String(port), `${name} build arg PORT`);
      assert.equal(svc?.environment?.[portEnv], String(port), `${name} ${portEnv}`);
      assert.ok(svc?.healthcheck?.test.join(' ').includes(`127.0.0.1:${port}/health`), `${name} health check path`);
      assert.equal(svc?.build?.args?.SERVICE, name);
      for (const other of SERVICE_NAMES) {
        assert.equal(
          svc?.environment?.[serviceUrlEnv(other)],
          `http://${other}:${SERVICES[other].port}`,
          `${name} ${serviceUrlEnv(other)}`,
        );
      }
    }
    const dashboard = compose.services['health-dashboard'];
    assert.ok(dashboard?.ports?.some((p) => p.endsWith(`:${SERVICES['health-dashboard'].port}`)));
  });

  test('limits: the seed NUC limits, and every service has one', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      const limits = svc.deploy?.resources?.limits;
      assert.ok(limits?.memory && limits.cpus, `${name} has memory and CPU limits`);
      const seed = SEED_LIMITS[name];
      if (seed) assert.deepEqual({ memory: limits.memory, cpus: String(limits.cpus) }, seed, name);
    }
  });

  test('hardening: read-only root, tmpfs /tmp, no-new-privileges, user 1001, json-file logs 10m x 3', () => {
    const dockerfile = read('deploy/Dockerfile');
    assert.match(dockerfile, /addgroup -g 1001/);
    assert.match(dockerfile, /adduser -u 1001/);
    assert.match(dockerfile, /USER 1001:1001/);
    assert.match(read('deploy/dashboard.Dockerfile'), /USER 1001:1001/);
    for (const [name, svc] of Object.entries(compose.services)) {
      assert.ok(svc.security_opt?.includes('no-new-privileges:true'), `${name} no-new-privileges`);
      assert.deepEqual(svc.logging, { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } }, name);
      assert.ok(svc.healthcheck?.start_period, `${name} health check has a start period`);
      if (name === 'influxdb') continue;
      assert.equal(svc.read_only, true, `${name} read_only`);
      // The grafana image's own unprivileged user; its data lives on its volume.
      assert.equal(svc.user, name === 'grafana' ? '472:0' : '1001:1001', `${name} user`);
      assert.ok(
        svc.tmpfs?.some((t) => t.startsWith('/tmp')),
        `${name} tmpfs /tmp`,
      );
    }
  });

  test('named volumes exist and sit where the services keep their data', () => {
    assert.deepEqual(Object.keys(compose.volumes).sort(), [
      'data_retention_backups',
      'grafana_data',
      'ha_ingestor_logs',
      'influxdb_config',
      'influxdb_data',
      'sqlite-data',
    ]);
    for (const name of node) {
      const svc = compose.services[name];
      const dataDir = svc?.environment?.HOMEIQ_DATA_DIR;
      assert.equal(dataDir, '/app/data', `${name} HOMEIQ_DATA_DIR`);
      const writesData = name !== 'weather-api';
      if (writesData)
        assert.ok(
          svc?.volumes?.some((v) => v.startsWith(`sqlite-data:${dataDir}`)),
          `${name} mounts sqlite-data`,
        );
    }
    const retention = compose.services['data-retention'];
    const backupDir = retention?.environment?.BACKUP_DIR;
    assert.ok(retention?.volumes?.includes(`data_retention_backups:${backupDir}`));
  });

  test('grafana: an opt-in profile, read-only, provisioning mounted read-only', () => {
    const grafana = compose.services.grafana as ComposeService & { image: string; profiles: string[] };
    assert.match(grafana.image, /^grafana\/grafana-oss:/);
    assert.deepEqual(grafana.profiles, ['grafana']);
    assert.equal(grafana.read_only, true);
    assert.deepEqual(grafana.cap_drop, ['ALL']);
    assert.ok(grafana.volumes?.includes('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro'));
    assert.ok(grafana.volumes?.includes('./deploy/grafana/dashboards:/etc/grafana/dashboards:ro'));
    const provider = read('deploy/grafana/provisioning/dashboards/homeiq.yaml');
    assert.match(provider, /path: \/etc\/grafana\/dashboards/);
  });

  test('depends_on waits for health', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [dep, cond] of Object.entries(svc.depends_on ?? {})) {
        assert.equal(cond.condition, 'service_healthy', `${name} -> ${dep}`);
        assert.ok(compose.services[dep]?.healthcheck, `${dep} has a health check`);
      }
    }
  });

  test('every env var set in compose is one the code reads', () => {
    const known = envVarsReadByCode(root);
    for (const name of SERVICE_NAMES) {
      known.add(SERVICES[name].portEnv);
      known.add(serviceUrlEnv(name));
    }
    for (const [name, svc] of Object.entries(compose.services)) {
      if (name === 'influxdb' || name === 'health-dashboard' || name === 'grafana') continue;
      for (const key of Object.keys(svc.environment ?? {})) {
        assert.ok(known.has(key), `${name}: ${key} is set in docker-compose.yml but no code reads it`);
      }
    }
  });

  test('.env.example lists every variable the code reads', () => {
    const example = read('.env.example');
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    // The add-on's entrypoint reads what the Supervisor sets (and two test overrides of its paths): not HomeIQ settings.
    const addonOnly = new Set(['SUPERVISOR_TOKEN', 'HOMEIQ_ADDON_DATA', 'HOMEIQ_SUPERVISOR_URL']);
    const missing = [...envVarsReadByCode(root)].filter(
      (v) => !listed.has(v) && !v.startsWith('HOMEIQ_TEST') && !addonOnly.has(v),
    );
    assert.deepEqual(missing, [], `.env.example misses ${missing.join(', ')}`);
  });
});
