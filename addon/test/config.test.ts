import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ADDON_OPTIONS } from '../../cli/addon/options';
import { buildProblems, configProblems, optionsProblems } from './supervisor-schema';

const root = fileURLToPath(new URL('../../', import.meta.url));
const yamlAt = (path: string) => parse(readFileSync(`${root}${path}`, 'utf8')) as Record<string, unknown>;
const config = yamlAt('addon/homeiq/config.yaml');
const schema = config.schema as Record<string, unknown>;

describe('the add-on against the Supervisor rules', () => {
  test('config.yaml has every required key, only known keys, each well-formed', () => {
    assert.deepEqual(configProblems(config), []);
  });

  test('ingress, the Home Assistant API and no init, as HomeIQ needs', () => {
    assert.equal(config.ingress, true);
    assert.equal(config.ingress_port, 3000); // the dashboard's default port
    assert.equal(config.homeassistant_api, true);
    assert.equal(config.init, false);
  });

  test('the default options match the schema', () => {
    assert.deepEqual(optionsProblems(config.options as Record<string, unknown>, schema), []);
  });

  test('every schema option is one the entrypoint maps, and the other way round', () => {
    assert.deepEqual(Object.keys(schema).sort(), Object.keys(ADDON_OPTIONS).sort());
  });

  test('build.yaml names a base image for every architecture', () => {
    assert.deepEqual(buildProblems(yamlAt('addon/homeiq/build.yaml'), config.arch as string[]), []);
  });

  test('translations name only schema options, and all of them', () => {
    const translated = (yamlAt('addon/homeiq/translations/en.yaml').configuration ?? {}) as Record<string, unknown>;
    assert.deepEqual(Object.keys(translated).sort(), Object.keys(schema).sort());
  });

  test('the Dockerfile copies what exists, runs the build script, and starts a command HomeIQ has', () => {
    const dockerfile = readFileSync(`${root}addon/homeiq/Dockerfile`, 'utf8');
    assert.match(dockerfile, /^ARG BUILD_FROM\nFROM \$\{BUILD_FROM\}$/m);
    const copied = [...dockerfile.matchAll(/^COPY (\S+)/gm)].map((m) => m[1] as string);
    assert.ok(copied.length > 0);
    for (const source of copied) assert.ok(existsSync(`${root}${source}`), `${source} exists`);
    assert.match(dockerfile, /&& sh addon\/build\.sh/);
    assert.match(dockerfile, /^CMD \["node", "bin\/homeiq\.js", "addon-run"\]$/m);
    assert.ok(existsSync(`${root}cli/commands/addon-run.ts`));
  });

  test('repository.yaml at the repository root names the repository', () => {
    assert.equal(typeof yamlAt('repository.yaml').name, 'string');
  });
});

describe('the checker finds what the Supervisor refuses', () => {
  const broken: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an unknown key', { ...config, ingres: true }, /unknown key "ingres"/],
    ['a missing slug', { ...config, slug: undefined }, /slug/],
    ['a slug with a space', { ...config, slug: 'home iq' }, /"slug"/],
    ['an unknown arch', { ...config, arch: ['amd64', 'x86'] }, /"arch"/],
    ['an ingress port out of range', { ...config, ingress_port: 70000 }, /"ingress_port"/],
    ['a port key without a number', { ...config, ports: { 'web/tcp': 80 } }, /"ports"/],
    ['an unknown schema type', { ...config, schema: { ...schema, a: 'string' } }, /"schema"/],
    ['a list in a list', { ...config, schema: { ...schema, a: [['str']] } }, /"schema"/],
    ['a boolean as text', { ...config, ingress: 'yes' }, /"ingress"/],
    ['a bad map entry', { ...config, map: ['data:rx'] }, /"map"/],
  ];
  for (const [what, bad, problem] of broken) {
    test(what, () => assert.match(configProblems(JSON.parse(JSON.stringify(bad))).join('\n'), problem));
  }

  test('options out of range, of the wrong type, or missing', () => {
    const s = { n: 'int(1,10)', level: 'list(a|b)', name: 'str', opt: 'url?', ok: 'bool' };
    assert.deepEqual(optionsProblems({ n: 5, level: 'a', name: 'x', ok: true }, s), []);
    const problems = optionsProblems({ n: 11, level: 'c', opt: 'not a url', ok: 'true' }, s).join('\n');
    for (const name of ['"n"', '"level"', '"opt"', '"ok"', 'required option "name"'])
      assert.ok(problems.includes(name));
  });
});
