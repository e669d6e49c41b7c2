import type { Logger } from '@homeiq/core';
import {
  type AreaRegistryUpdated,
  type DeviceRegistryUpdated,
  type EntityRegistryUpdated,
  type HaAreaEntry,
  type HaConnection,
  type HaDeviceEntry,
  type HaEntityEntry,
  type HaEvent,
  messages,
} from '@homeiq/ha';
import type { AreaRecord, DeviceRecord, EntityRecord, MetadataStore } from '@homeiq/storage';
import { NO_PLACEMENT, type Placement, type PlacementLookup } from './normalize';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function toAreaRecord(a: HaAreaEntry): AreaRecord {
  return {
    area_id: a.area_id,
    name: typeof a.name === 'string' ? a.name : a.area_id,
    floor_id: str(a.floor_id),
    icon: str(a.icon),
    aliases: strings(a.aliases),
    labels: strings(a.labels),
  };
}

export function toDeviceRecord(d: HaDeviceEntry): DeviceRecord {
  return {
    id: d.id,
    name: str(d.name),
    name_by_user: str(d.name_by_user),
    manufacturer: str(d.manufacturer),
    model: str(d.model),
    sw_version: str(d.sw_version),
    hw_version: str(d.hw_version),
    area_id: str(d.area_id),
    via_device_id: str(d.via_device_id),
    disabled_by: str(d.disabled_by),
    entry_type: str(d.entry_type),
    identifiers: Array.isArray(d.identifiers) ? d.identifiers : [],
    labels: strings(d.labels),
  };
}

export function toEntityRecord(e: HaEntityEntry, previous: string[] = []): EntityRecord {
  return {
    entity_id: e.entity_id,
    id: str(e.id),
    unique_id: str(e.unique_id),
    platform: str(e.platform),
    device_id: str(e.device_id),
    area_id: str(e.area_id),
    name: str(e.name),
    original_name: str(e.original_name),
    icon: str(e.icon),
    entity_category: str(e.entity_category),
    disabled_by: str(e.disabled_by),
    hidden_by: str(e.hidden_by),
    labels: strings(e.labels),
    previous_entity_ids: previous,
  };
}

const REFRESH_DEBOUNCE_MS = 300;

/**
 * Mirrors HA's area, device and entity registries into metadata.db: the full lists on every connect, then the
 * *_registry_updated events (a rename is recorded with metadata.renameEntity so history stays reachable under the
 * new id). Keeps an in-memory entity -> {areaId, deviceId} map for the hot path.
 */
export class RegistryMirror implements PlacementLookup {
  private placements = new Map<string, Placement>();
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private dirty = false;
  lastSyncAt: number | null = null;
  lastError: string | null = null;

  constructor(
    private readonly connection: HaConnection,
    private readonly metadata: MetadataStore,
    private readonly logger: Logger,
  ) {}

  placement(entityId: string): Placement {
    return this.placements.get(entityId) ?? NO_PLACEMENT;
  }

  /** Entity ids the registry knows. */
  entityIds(): string[] {
    return this.metadata.listEntities().map((e) => e.entity_id);
  }

  /** Subscribes to the registry events (kept across reconnects by the connection). */
  subscribe(): void {
    this.connection.subscribeEvents<HaEvent<EntityRegistryUpdated>>('entity_registry_updated', (e) =>
      this.onEntityEvent(e.data),
    );
    this.connection.subscribeEvents<HaEvent<DeviceRegistryUpdated>>('device_registry_updated', (e) =>
      this.onDeviceEvent(e.data),
    );
    this.connection.subscribeEvents<HaEvent<AreaRegistryUpdated>>('area_registry_updated', () =>
      this.scheduleRefresh(),
    );
  }

  /** Fetches the three lists and replaces the mirror; renames missed while disconnected are found by registry id. */
  async sync(): Promise<void> {
    const [areas, devices, entities] = await Promise.all([
      this.connection.command<HaAreaEntry[]>(messages.listAreas()),
      this.connection.command<HaDeviceEntry[]>(messages.listDevices()),
      this.connection.command<HaEntityEntry[]>(messages.listEntities()),
    ]);
    const byRegistryId = new Map<string, EntityRecord>();
    for (const known of this.metadata.listEntities()) if (known.id) byRegistryId.set(known.id, known);
    for (const e of entities) {
      const known = e.id ? byRegistryId.get(e.id) : undefined;
      if (known && known.entity_id !== e.entity_id) this.metadata.renameEntity(known.entity_id, e.entity_id);
    }
    this.metadata.replaceAll({
      areas: areas.filter((a) => typeof a?.area_id === 'string').map(toAreaRecord),
      devices: devices.filter((d) => typeof d?.id === 'string').map(toDeviceRecord),
      entities: entities
        .filter((e) => typeof e?.entity_id === 'string')
        .map((e) => toEntityRecord(e, this.metadata.getEntity(e.entity_id)?.previous_entity_ids ?? [])),
    });
    this.rebuildPlacements();
    this.lastSyncAt = Date.now();
    this.lastError = null;
  }

  stop(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  private onEntityEvent(data: EntityRegistryUpdated): void {
    if (typeof data?.entity_id !== 'string') return;
    try {
      if (data.action === 'remove') {
        this.metadata.removeEntity(data.entity_id);
        this.placements.delete(data.entity_id);
      } else if (data.action === 'update' && typeof data.old_entity_id === 'string') {
        this.metadata.renameEntity(data.old_entity_id, data.entity_id);
        const p = this.placements.get(data.old_entity_id);
        if (p) this.placements.set(data.entity_id, p);
      }
    } catch (error) {
      this.logger.warn({ err: error, entityId: data.entity_id }, 'registry mirror: entity update failed');
    }
    this.scheduleRefresh();
  }

  private onDeviceEvent(data: DeviceRegistryUpdated): void {
    if (data?.action === 'remove' && typeof data.device_id === 'string') {
      try {
        this.metadata.removeDevice(data.device_id);
      } catch (error) {
        this.logger.warn({ err: error, deviceId: data.device_id }, 'registry mirror: device removal failed');
      }
    }
    this.scheduleRefresh();
  }

  /** Registry events carry ids only: re-read the lists, at most once per burst of updates. */
  private scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      if (!this.connection.connected) return; // the next connect syncs everything
      if (this.refreshing) {
        this.dirty = true;
        return;
      }
      this.refreshing = this.sync()
        .catch((error: unknown) => {
          this.lastError = error instanceof Error ? error.message : String(error);
          this.logger.warn({ err: error }, 'registry mirror: refresh failed');
        })
        .finally(() => {
          this.refreshing = undefined;
          if (this.dirty) {
            this.dirty = false;
            this.scheduleRefresh();
          }
        });
    }, REFRESH_DEBOUNCE_MS);
    this.refreshTimer.unref();
  }

  /** Placements from what metadata.db already holds (the previous run), so events before the first sync have them. */
  loadFromMetadata(): void {
    try {
      this.rebuildPlacements();
    } catch (error) {
      this.logger.warn({ err: error }, 'registry mirror: cannot read metadata.db');
    }
  }

  private rebuildPlacements(): void {
    const next = new Map<string, Placement>();
    for (const e of this.metadata.listEntities()) {
      const areaId = this.metadata.effectiveAreaId(e.entity_id);
      if (areaId !== null || e.device_id !== null) next.set(e.entity_id, { areaId, deviceId: e.device_id });
    }
    this.placements = next;
  }
}
