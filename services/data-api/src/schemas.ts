import { type TSchema, Type } from '@sinclair/typebox';
import { DOMAIN_PATTERN, ENTITY_ID_PATTERN } from './params';

/** Shared TypeBox schemas: they validate requests, shape responses and generate /openapi.json. */

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'Stable error code, e.g. bad_request, not_found, unauthorized' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'The parameter that was wrong (400 only)' })),
    correlationId: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** Error responses every keyed route can give. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  500: ErrorBody,
  503: ErrorBody,
};

export function withErrors<T extends Record<number, TSchema>>(ok: T, notFound = false) {
  return notFound ? { ...ok, ...errorResponses, 404: ErrorBody } : { ...ok, ...errorResponses };
}

const NullableString = Type.Union([Type.String(), Type.Null()]);
const Strings = Type.Array(Type.String());

export const EntityId = Type.String({
  pattern: ENTITY_ID_PATTERN,
  maxLength: 255,
  description: 'e.g. sensor.kitchen_temperature',
});
export const Domain = Type.String({ pattern: DOMAIN_PATTERN, maxLength: 64, description: 'e.g. light' });
/** Free-text filters: any characters (quotes, backslashes, regex and SQL metacharacters are matched literally). */
export const FilterText = Type.String({ minLength: 1, maxLength: 255 });
export const IsoTime = Type.String({
  maxLength: 64,
  description: 'ISO 8601, e.g. 2025-01-10T09:59:00Z or 2025-01-10T10:59:00.123456+01:00',
});

/** One event in the export format (packages/storage/src/event-json.ts). */
export const EventJsonSchema = Type.Object({
  entity_id: Type.String(),
  state: Type.String({ description: '"" for a removal' }),
  last_updated: Type.String({ description: 'ISO 8601 with microseconds; the event identity with entity_id' }),
  last_changed: Type.String(),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  context_id: NullableString,
  context_parent_id: NullableString,
  context_user_id: NullableString,
  origin: NullableString,
  area_id: NullableString,
  device_id: NullableString,
  removed: Type.Optional(Type.Literal(true)),
});

export const AreaSchema = Type.Object({
  area_id: Type.String(),
  name: Type.String(),
  floor_id: NullableString,
  icon: NullableString,
  aliases: Strings,
  labels: Strings,
});

export const DeviceSchema = Type.Object({
  id: Type.String(),
  name: NullableString,
  name_by_user: NullableString,
  manufacturer: NullableString,
  model: NullableString,
  sw_version: NullableString,
  hw_version: NullableString,
  area_id: NullableString,
  via_device_id: NullableString,
  disabled_by: NullableString,
  entry_type: NullableString,
  identifiers: Type.Array(Type.Unknown()),
  labels: Strings,
});

export const EntitySchema = Type.Object({
  entity_id: Type.String(),
  id: NullableString,
  unique_id: NullableString,
  platform: NullableString,
  device_id: NullableString,
  area_id: NullableString,
  name: NullableString,
  original_name: NullableString,
  icon: NullableString,
  entity_category: NullableString,
  disabled_by: NullableString,
  hidden_by: NullableString,
  labels: Strings,
  previous_entity_ids: Strings,
});
