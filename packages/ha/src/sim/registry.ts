import type { Random } from './random';

/** Home Assistant's three registries, in the shapes `config/*_registry/list` returns (HA 2025.1). */

export interface AreaEntry {
  aliases: string[];
  area_id: string;
  floor_id: string | null;
  humidity_entity_id: string | null;
  icon: string | null;
  labels: string[];
  name: string;
  picture: string | null;
  temperature_entity_id: string | null;
  created_at: number;
  modified_at: number;
}

export interface DeviceEntry {
  area_id: string | null;
  configuration_url: string | null;
  config_entries: string[];
  connections: [string, string][];
  created_at: number;
  disabled_by: string | null;
  entry_type: string | null;
  hw_version: string | null;
  id: string;
  identifiers: [string, string][];
  labels: string[];
  manufacturer: string | null;
  model: string | null;
  model_id: string | null;
  modified_at: number;
  name_by_user: string | null;
  name: string | null;
  primary_config_entry: string | null;
  serial_number: string | null;
  sw_version: string | null;
  via_device_id: string | null;
}

export interface EntityEntry {
  area_id: string | null;
  categories: Record<string, string>;
  config_entry_id: string | null;
  created_at: number;
  device_id: string | null;
  disabled_by: string | null;
  entity_category: string | null;
  entity_id: string;
  has_entity_name: boolean;
  hidden_by: string | null;
  icon: string | null;
  id: string;
  labels: string[];
  modified_at: number;
  name: string | null;
  options: Record<string, unknown>;
  original_name: string | null;
  platform: string;
  translation_key: string | null;
  unique_id: string;
}

/** An event HA fires on its bus: type + data (serialized by the hub). */
export interface BusEvent {
  event_type: string;
  data: Record<string, unknown>;
}

export class Registries {
  readonly areas = new Map<string, AreaEntry>();
  readonly devices = new Map<string, DeviceEntry>();
  readonly entities = new Map<string, EntityEntry>();

  areaList(): AreaEntry[] {
    return [...this.areas.values()];
  }

  deviceList(): DeviceEntry[] {
    return [...this.devices.values()];
  }

  entityList(): EntityEntry[] {
    return [...this.entities.values()];
  }

  /** The area an entity is in: its own, else its device's. */
  areaOf(entityId: string): string | null {
    const entry = this.entities.get(entityId);
    if (!entry) return null;
    if (entry.area_id) return entry.area_id;
    return entry.device_id ? (this.devices.get(entry.device_id)?.area_id ?? null) : null;
  }

  addEntity(entry: EntityEntry): BusEvent {
    this.entities.set(entry.entity_id, entry);
    return { event_type: 'entity_registry_updated', data: { action: 'create', entity_id: entry.entity_id } };
  }

  /** A new entity entry (on a device when given), as an integration would register it. */
  createEntity(
    entityId: string,
    deviceId: string | undefined,
    attributes: Record<string, unknown>,
    random: Random,
    nowSeconds: number,
  ): BusEvent {
    const device = deviceId === undefined ? undefined : this.devices.get(deviceId);
    if (deviceId !== undefined && !device) throw new Error(`deviceId: no device ${deviceId}`);
    return this.addEntity({
      area_id: null,
      categories: {},
      config_entry_id: device?.primary_config_entry ?? null,
      created_at: nowSeconds,
      device_id: device?.id ?? null,
      disabled_by: null,
      entity_category: null,
      entity_id: entityId,
      has_entity_name: false,
      hidden_by: null,
      icon: null,
      id: random.hex(32),
      labels: [],
      modified_at: nowSeconds,
      name: null,
      options: {},
      original_name: typeof attributes.friendly_name === 'string' ? attributes.friendly_name : null,
      platform: device?.identifiers[0]?.[0] ?? 'template',
      translation_key: null,
      unique_id: random.hex(16),
    });
  }

  removeEntity(entityId: string): BusEvent | undefined {
    if (!this.entities.delete(entityId)) return undefined;
    return { event_type: 'entity_registry_updated', data: { action: 'remove', entity_id: entityId } };
  }

  renameEntity(oldId: string, newId: string, nowSeconds: number): BusEvent | undefined {
    const entry = this.entities.get(oldId);
    if (!entry) return undefined;
    this.entities.delete(oldId);
    this.entities.set(newId, { ...entry, entity_id: newId, modified_at: nowSeconds });
    return {
      event_type: 'entity_registry_updated',
      data: { action: 'update', entity_id: newId, changes: { entity_id: oldId }, old_entity_id: oldId },
    };
  }

  updateDevice(
    deviceId: string,
    changes: { area_id?: string | null; name_by_user?: string | null },
    nowSeconds: number,
  ): BusEvent {
    const device = this.devices.get(deviceId);
    if (!device) throw new Error(`deviceId: no device ${deviceId}`);
    if (changes.area_id !== undefined && changes.area_id !== null && !this.areas.has(changes.area_id)) {
      throw new Error(`area_id: no area ${changes.area_id}`);
    }
    const old: Record<string, unknown> = {};
    for (const key of ['area_id', 'name_by_user'] as const) {
      const value = changes[key];
      if (value !== undefined && value !== device[key]) {
        old[key] = device[key];
        device[key] = value;
      }
    }
    device.modified_at = nowSeconds;
    return { event_type: 'device_registry_updated', data: { action: 'update', device_id: deviceId, changes: old } };
  }

  updateArea(areaId: string, changes: { name?: string; icon?: string | null }, nowSeconds: number): BusEvent {
    const area = this.areas.get(areaId);
    if (!area) throw new Error(`areaId: no area ${areaId}`);
    if (changes.name !== undefined) area.name = changes.name;
    if (changes.icon !== undefined) area.icon = changes.icon;
    area.modified_at = nowSeconds;
    return { event_type: 'area_registry_updated', data: { action: 'update', area_id: areaId } };
  }
}
