import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '@homeiq/core/testing/temp';
import Database from 'better-sqlite3';
import { SqliteMetadataStore } from '../src/metadata/sqlite-metadata';
import type { AreaRecord, DeviceRecord, EntityRecord } from '../src/metadata-types';

const area = (area_id: string, name: string): AreaRecord => ({
  area_id,
  name,
  floor_id: null,
  icon: null,
  aliases: [`${name} alias`],
  labels: [],
});
const device = (id: string, area_id: string | null): DeviceRecord => ({
  id,
  name: `Device ${id}`,
  name_by_user: null,
  manufacturer: 'Acme "Ünïcode"',
  model: "M'1",
  sw_version: null,
  hw_version: null,
  area_id,
  via_device_id: null,
  disabled_by: null,
  entry_type: null,
  identifiers: [['zha', '00:11']],
  labels: ['l1'],
});
const entity = (entity_id: string, over: Partial<EntityRecord> = {}): EntityRecord => ({
  entity_id,
  id: `reg-${entity_id}`,
  unique_id: `u-${entity_id}`,
  platform: 'zha',
  device_id: null,
  area_id: null,
  name: null,
  original_name: entity_id,
  icon: null,
  entity_category: null,
  disabled_by: null,
  hidden_by: null,
  labels: [],
  previous_entity_ids: [],
  ...over,
});

describe('SqliteMetadataStore', () => {
  const dir = tempDir('homeiq-meta-');
  let meta: SqliteMetadataStore;
  const file = join(dir.path, 'metadata.db');

  before(() => {
    meta = new SqliteMetadataStore(file);
    meta.replaceAll({
      areas: [area('kitchen', 'Küche'), area('hall', 'Hall')],
      devices: [device('d1', 'kitchen'), device('d2', null)],
      entities: [
        entity('sensor.t', { device_id: 'd1' }),
        entity('light.k', { device_id: 'd1', area_id: 'hall', platform: 'hue' }),
        entity('switch.s', { device_id: 'd2' }),
        entity("sensor.x'; DROP TABLE entities; --"),
      ],
    });
  });
  after(() => {
    meta.close();
    dir.remove();
  });

  test('applies the pragmas and a schema version', () => {
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.ok((db.pragma('user_version', { simple: true }) as number) >= 1);
    db.close();
  });

  test('records round-trip, lists included', () => {
    assert.deepEqual(meta.getDevice('d1'), device('d1', 'kitchen'));
    assert.deepEqual(meta.getArea('kitchen'), area('kitchen', 'Küche'));
    assert.deepEqual(
      meta.getEntity('light.k'),
      entity('light.k', { device_id: 'd1', area_id: 'hall', platform: 'hue' }),
    );
    assert.equal(meta.getEntity('sensor.none'), undefined);
    assert.deepEqual(
      meta.listAreas().map((a) => a.area_id),
      ['hall', 'kitchen'],
    );
    assert.deepEqual(
      meta.listDevices({ areaId: 'kitchen' }).map((d) => d.id),
      ['d1'],
    );
  });

  test('effective area: the entity area, else its device area', () => {
    assert.equal(meta.effectiveAreaId('light.k'), 'hall');
    assert.equal(meta.effectiveAreaId('sensor.t'), 'kitchen');
    assert.equal(meta.effectiveAreaId('switch.s'), null);
    assert.equal(meta.effectiveAreaId('sensor.none'), null);
  });

  test('listEntities filters by domain, device, effective area and platform', () => {
    const ids = (f: Parameters<typeof meta.listEntities>[0]) => meta.listEntities(f).map((e) => e.entity_id);
    assert.equal(ids({}).length, 4);
    assert.deepEqual(ids({ domain: 'sensor' }), ['sensor.t', "sensor.x'; DROP TABLE entities; --"]);
    assert.deepEqual(ids({ deviceId: 'd1' }), ['light.k', 'sensor.t']);
    assert.deepEqual(ids({ areaId: 'kitchen' }), ['sensor.t']);
    assert.deepEqual(ids({ areaId: 'hall' }), ['light.k']);
    assert.deepEqual(ids({ platform: 'hue', domain: 'light' }), ['light.k']);
    assert.deepEqual(ids({ domain: "sensor' OR '1'='1" }), []);
  });

  test('a rename keeps the row and its history ids, across renames and a full refresh', () => {
    meta.renameEntity('sensor.t', 'sensor.temp');
    assert.equal(meta.getEntity('sensor.t'), undefined);
    assert.equal(meta.getEntity('sensor.temp')?.unique_id, 'u-sensor.t', 'same registry row');
    meta.renameEntity('sensor.temp', 'sensor.temperature');
    assert.deepEqual(meta.historyIds('sensor.temperature'), ['sensor.temperature', 'sensor.t', 'sensor.temp']);
    // A refresh from HA carries no previous ids; the mirror keeps them.
    meta.replaceAll({
      areas: meta.listAreas(),
      devices: meta.listDevices(),
      entities: meta.listEntities().map((e) => ({ ...e, previous_entity_ids: [] })),
    });
    assert.deepEqual(meta.historyIds('sensor.temperature'), ['sensor.temperature', 'sensor.t', 'sensor.temp']);
    assert.deepEqual(meta.historyIds('sensor.unknown'), ['sensor.unknown']);
  });

  test('a rename missed while away is found by registry id on upsert and on refresh', () => {
    const k = meta.getEntity('light.k')!;
    meta.upsertEntity({ ...k, entity_id: 'light.kitchen' });
    assert.equal(meta.getEntity('light.k'), undefined);
    assert.deepEqual(meta.historyIds('light.kitchen'), ['light.kitchen', 'light.k']);
    const s = meta.getEntity('switch.s')!;
    meta.replaceAll({
      areas: meta.listAreas(),
      devices: meta.listDevices(),
      entities: [...meta.listEntities().filter((e) => e.entity_id !== 'switch.s'), { ...s, entity_id: 'switch.pump' }],
    });
    assert.deepEqual(meta.historyIds('switch.pump'), ['switch.pump', 'switch.s']);
  });

  test('a rename of an entity not mirrored yet is remembered', () => {
    meta.renameEntity('sensor.ghost', 'sensor.ghost2');
    assert.deepEqual(meta.historyIds('sensor.ghost2'), ['sensor.ghost2', 'sensor.ghost']);
    meta.upsertEntity(entity('sensor.ghost2'));
    assert.deepEqual(meta.historyIds('sensor.ghost2'), ['sensor.ghost2', 'sensor.ghost'], 'upsert keeps former ids');
  });

  test('upserts and removals', () => {
    meta.upsertArea(area('garage', 'Garage'));
    meta.upsertDevice(device('d3', 'garage'));
    meta.upsertEntity(entity('switch.door', { device_id: 'd3' }));
    assert.equal(meta.effectiveAreaId('switch.door'), 'garage');
    meta.upsertDevice({ ...device('d3', 'hall') });
    assert.equal(meta.effectiveAreaId('switch.door'), 'hall');
    meta.removeEntity('switch.door');
    meta.removeDevice('d3');
    meta.removeArea('garage');
    assert.equal(meta.getEntity('switch.door'), undefined);
    assert.equal(meta.getDevice('d3'), undefined);
    assert.equal(meta.getArea('garage'), undefined);
  });

  test('bad records are refused naming the field, and nothing else changes', () => {
    const before = meta.listEntities().length;
    assert.throws(() => meta.upsertEntity({ ...entity('sensor.bad'), labels: 'x' as unknown as string[] }), /labels/);
    assert.throws(() => meta.upsertArea({ ...area('', 'x') }), /area_id/);
    assert.throws(
      () =>
        meta.replaceAll({
          areas: [],
          devices: [{ ...device('d9', null), name: 5 as unknown as string }],
          entities: [],
        }),
      /name/,
    );
    assert.equal(meta.listEntities().length, before);
  });

  test('a second connection (another process) reads what the writer committed', () => {
    const reader = new SqliteMetadataStore(file);
    try {
      assert.deepEqual(reader.historyIds('sensor.temperature'), meta.historyIds('sensor.temperature'));
    } finally {
      reader.close();
    }
  });
});
