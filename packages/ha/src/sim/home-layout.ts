import { KINDS, type Kind } from './entity-kinds';
import type { Random } from './random';
import { type AreaEntry, type DeviceEntry, type EntityEntry, Registries } from './registry';
import type { UlidFactory } from './ulid';

/** One entity of the simulated home, before it has a state. */
export interface EntityDef {
  entityId: string;
  kind: Kind;
  friendlyName: string;
}

interface DeviceTemplate {
  label: string;
  manufacturer: string;
  model: string;
  modelId: string;
  platform: string;
  kinds: Kind[];
  weight: number;
}

const AREAS: [name: string, floor: string, icon: string | null][] = [
  ['Living room', 'ground_floor', 'mdi:sofa'],
  ['Kitchen', 'ground_floor', 'mdi:stove'],
  ['Dining room', 'ground_floor', null],
  ['Office', 'ground_floor', 'mdi:desk'],
  ['Hallway', 'ground_floor', null],
  ['Garage', 'ground_floor', 'mdi:garage'],
  ['Bedroom', 'first_floor', 'mdi:bed'],
  ['Gästezimmer', 'first_floor', null],
  ['Kids room', 'first_floor', null],
  ['Bathroom', 'first_floor', 'mdi:shower'],
  ['Garden', 'ground_floor', 'mdi:flower'],
  ['Basement', 'basement', null],
];

const t = (
  label: string,
  manufacturer: string,
  model: string,
  modelId: string,
  platform: string,
  kinds: Kind[],
  weight: number,
) => ({ label, manufacturer, model, modelId, platform, kinds, weight }) satisfies DeviceTemplate;

const TEMPLATES: DeviceTemplate[] = [
  t(
    'Motion sensor',
    'Signify Netherlands B.V.',
    'Hue motion sensor',
    'SML001',
    'hue',
    ['motion', 'temperature', 'illuminance', 'battery'],
    3,
  ),
  t(
    'Climate sensor',
    'Aqara',
    'Temperature and humidity sensor',
    'WSDCGQ11LM',
    'zha',
    ['temperature', 'humidity', 'battery', 'signal'],
    3,
  ),
  t('Ceiling light', 'Signify Netherlands B.V.', 'Hue white ambiance', 'LTG002', 'hue', ['light'], 3),
  t('Lamp', 'IKEA of Sweden', 'TRADFRI bulb E27 WS 806lm', 'LED1836G9', 'zha', ['light', 'signal'], 2),
  t(
    'Plug',
    'Shelly',
    'Shelly Plug S',
    'SHPLG-S',
    'shelly',
    ['switch', 'power', 'energy', 'voltage', 'current', 'signal'],
    3,
  ),
  t('Door contact', 'Aqara', 'Door and window sensor', 'MCCGQ11LM', 'zha', ['door', 'battery', 'signal'], 1),
  t('Window contact', 'Aqara', 'Door and window sensor', 'MCCGQ11LM', 'zha', ['window', 'battery'], 2),
  t(
    'Thermostat',
    'ecobee',
    'ecobee3 lite',
    'EB-STATE3LT-02',
    'ecobee',
    ['climate', 'temperature', 'humidity', 'occupancy'],
    1,
  ),
  t('Speaker', 'Sonos', 'One', 'S18', 'sonos', ['media_player'], 1),
  t('TV', 'LG', 'OLED55C1', 'OLED55C15LA', 'webostv', ['media_player'], 0.5),
];
const PHONE = t('Phone', 'Google', 'Pixel 8', 'GKWS6', 'mobile_app', ['device_tracker', 'battery'], 0);
const METER = t(
  'Energy meter',
  'Shelly',
  'Shelly Pro 3EM',
  'SPEM-003CEBEU',
  'shelly',
  ['power', 'energy', 'voltage', 'current'],
  0,
);
const WEATHER = t(
  'Weather station',
  'Netatmo',
  'Outdoor module',
  'NAModule1',
  'netatmo',
  ['outdoor_temperature', 'humidity', 'battery'],
  0,
);

/** HA's slugify (unidecode, then non-alphanumerics to single underscores). */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Builds the deterministic home: ~12 areas, devices in them, ~entityCount entities (>= 1) on those devices. */
export function buildHome(random: Random, ulids: UlidFactory, entityCount: number, nowSeconds: number) {
  const registries = new Registries();
  const entities: EntityDef[] = [];
  const created = nowSeconds - 86_400 * 200;
  for (const [name, floor, icon] of AREAS) {
    const area: AreaEntry = {
      aliases: [],
      area_id: slugify(name),
      floor_id: floor,
      humidity_entity_id: null,
      icon,
      labels: [],
      name,
      picture: null,
      temperature_entity_id: null,
      created_at: created,
      modified_at: created,
    };
    registries.areas.set(area.area_id, area);
  }
  const areaIds = [...registries.areas.keys()];
  const configEntries = new Map<string, string>();
  const names = new Set<string>();
  const entityIds = new Set<string>();

  const addDevice = (template: DeviceTemplate, areaId: string | null, areaName: string | null, label?: string) => {
    let configEntry = configEntries.get(template.platform);
    if (!configEntry) {
      configEntry = ulids.next(Math.floor(created * 1000)).toLowerCase();
      configEntries.set(template.platform, configEntry);
    }
    const base = label ?? (areaName ? `${areaName} ${template.label.toLowerCase()}` : template.label);
    let name = base;
    for (let n = 2; names.has(name); n++) name = `${base} ${n}`;
    names.add(name);
    const mac = Array.from({ length: 6 }, () => random.hex(2)).join(':');
    const device: DeviceEntry = {
      area_id: areaId,
      configuration_url: null,
      config_entries: [configEntry],
      connections: template.platform === 'zha' || template.platform === 'mobile_app' ? [] : [['mac', mac]],
      created_at: created,
      disabled_by: null,
      entry_type: null,
      hw_version: null,
      id: random.hex(32),
      identifiers: [[template.platform, template.platform === 'zha' ? mac.replace(/:/g, '') : random.hex(12)]],
      labels: [],
      manufacturer: template.manufacturer,
      model: template.model,
      model_id: template.modelId,
      modified_at: created,
      name_by_user: null,
      name,
      primary_config_entry: configEntry,
      serial_number: random.hex(12).toUpperCase(),
      sw_version: `${random.int(1, 4)}.${random.int(0, 20)}.${random.int(0, 9)}`,
      via_device_id: null,
    };
    registries.devices.set(device.id, device);
    for (const kind of template.kinds) {
      const spec = KINDS[kind];
      const friendlyName = spec.name ? `${name} ${spec.name.toLowerCase()}` : name;
      let entityId = `${spec.domain}.${slugify(friendlyName)}`;
      for (let n = 2; entityIds.has(entityId); n++) entityId = `${spec.domain}.${slugify(friendlyName)}_${n}`;
      entityIds.add(entityId);
      const entry: EntityEntry = {
        area_id: null,
        categories: {},
        config_entry_id: configEntry,
        created_at: created,
        device_id: device.id,
        disabled_by: null,
        entity_category: spec.category ?? null,
        entity_id: entityId,
        has_entity_name: true,
        hidden_by: null,
        icon: null,
        id: random.hex(32),
        labels: [],
        modified_at: created,
        name: null,
        options: {},
        original_name: spec.name,
        platform: template.platform,
        translation_key: null,
        unique_id: `${device.identifiers[0]?.[1] ?? device.id}-${kind}`,
      };
      registries.entities.set(entityId, entry);
      entities.push({ entityId, kind, friendlyName });
    }
  };

  const areaName = (id: string) => registries.areas.get(id)?.name ?? null;
  addDevice(PHONE, null, null, "Anna's phone");
  addDevice(PHONE, null, null, "Ben's phone");
  addDevice(METER, 'basement', areaName('basement'));
  addDevice(WEATHER, 'garden', areaName('garden'));
  const totalWeight = TEMPLATES.reduce((sum, tpl) => sum + tpl.weight, 0);
  for (let i = 0; entities.length < entityCount; i++) {
    let roll = random.next() * totalWeight;
    let template = TEMPLATES[0] as DeviceTemplate;
    for (const tpl of TEMPLATES) {
      roll -= tpl.weight;
      if (roll < 0) {
        template = tpl;
        break;
      }
    }
    const areaId = areaIds[i % areaIds.length] as string;
    addDevice(template, areaId, areaName(areaId));
  }
  // Small homes (tests) are cut to size; the registry keeps only the entities that exist.
  for (const def of entities.splice(Math.max(1, entityCount))) registries.entities.delete(def.entityId);
  return { registries, entities };
}
