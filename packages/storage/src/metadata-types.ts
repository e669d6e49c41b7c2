/** Home Assistant's registries as HomeIQ mirrors them in metadata.db. Field names follow HA's payloads. */
export interface AreaRecord {
  area_id: string;
  name: string;
  floor_id: string | null;
  icon: string | null;
  aliases: string[];
  labels: string[];
}

export interface DeviceRecord {
  id: string;
  name: string | null;
  name_by_user: string | null;
  manufacturer: string | null;
  model: string | null;
  sw_version: string | null;
  hw_version: string | null;
  area_id: string | null;
  via_device_id: string | null;
  disabled_by: string | null;
  entry_type: string | null;
  identifiers: unknown[];
  labels: string[];
}

export interface EntityRecord {
  entity_id: string;
  /** Registry id: stable across renames. */
  id: string | null;
  unique_id: string | null;
  platform: string | null;
  device_id: string | null;
  /** The entity's own area; the device's area applies when null (see effectiveAreaId). */
  area_id: string | null;
  name: string | null;
  original_name: string | null;
  icon: string | null;
  entity_category: string | null;
  disabled_by: string | null;
  hidden_by: string | null;
  labels: string[];
  /** Former entity ids, oldest first: history stored under them belongs to this entity. */
  previous_entity_ids: string[];
}

export interface EntityFilter {
  domain?: string;
  deviceId?: string;
  areaId?: string;
  platform?: string;
}

/** The registry mirror. One writer (websocket-ingestion); any number of readers. */
export interface MetadataStore {
  replaceAll(snapshot: { areas: AreaRecord[]; devices: DeviceRecord[]; entities: EntityRecord[] }): void;
  upsertArea(area: AreaRecord): void;
  removeArea(areaId: string): void;
  upsertDevice(device: DeviceRecord): void;
  removeDevice(deviceId: string): void;
  upsertEntity(entity: EntityRecord): void;
  removeEntity(entityId: string): void;
  /** Records a rename: the entity keeps its registry row and remembers the old id. */
  renameEntity(oldEntityId: string, newEntityId: string): void;

  listAreas(): AreaRecord[];
  getArea(areaId: string): AreaRecord | undefined;
  listDevices(filter?: { areaId?: string }): DeviceRecord[];
  getDevice(id: string): DeviceRecord | undefined;
  listEntities(filter?: EntityFilter): EntityRecord[];
  getEntity(entityId: string): EntityRecord | undefined;
  /** Entity's area, falling back to its device's area. */
  effectiveAreaId(entityId: string): string | null;
  /** All ids an entity's history is stored under: its current id and every former one. */
  historyIds(entityId: string): string[];
  close(): void;
}
