import { type ConfigOf, keyValues, list, oneOf, optionalStr, refined } from '@homeiq/core';

const BAD_NAME = /[\\\n\r]/;

function badNames(names: Iterable<string>): string | undefined {
  for (const name of names) {
    if (BAD_NAME.test(name)) return `"${name}" must not contain a backslash or a line break`;
  }
  return undefined;
}

function measurementName(env: string, description: string) {
  return refined(optionalStr(env, description), (v) =>
    v === undefined ? undefined : v.startsWith('#') ? 'must not start with "#"' : badNames([v]),
  );
}

/**
 * The InfluxDB layout, and for `home-assistant` the options of Home Assistant's own InfluxDB integration
 * (same names and meanings as its YAML: default_measurement, override_measurement, measurement_attr, tags,
 * tags_attributes, ignore_attributes).
 */
export const haLayoutSchema = {
  influxLayout: oneOf(
    'INFLUXDB_LAYOUT',
    "InfluxDB schema: homeiq (one measurement home_assistant_events) or home-assistant (what HA's influxdb integration writes, for existing Grafana dashboards)",
    ['homeiq', 'home-assistant'] as const,
    'homeiq',
  ),
  haDefaultMeasurement: measurementName(
    'INFLUXDB_HA_DEFAULT_MEASUREMENT',
    'home-assistant layout: measurement of states without the measurement attribute (default: the entity_id)',
  ),
  haOverrideMeasurement: measurementName(
    'INFLUXDB_HA_OVERRIDE_MEASUREMENT',
    'home-assistant layout: one measurement for every state (overrides INFLUXDB_HA_MEASUREMENT_ATTR)',
  ),
  haMeasurementAttr: oneOf(
    'INFLUXDB_HA_MEASUREMENT_ATTR',
    'home-assistant layout: what names the measurement',
    ['unit_of_measurement', 'domain__device_class', 'entity_id'] as const,
    'unit_of_measurement',
  ),
  haTags: refined(keyValues('INFLUXDB_HA_TAGS', 'home-assistant layout: tags added to every point, k=v,...'), (tags) =>
    badNames([...Object.keys(tags), ...Object.values(tags)]),
  ),
  haTagsAttributes: refined(
    list('INFLUXDB_HA_TAGS_ATTRIBUTES', 'home-assistant layout: attributes written as tags (e.g. friendly_name)'),
    badNames,
  ),
  haIgnoreAttributes: list('INFLUXDB_HA_IGNORE_ATTRIBUTES', 'home-assistant layout: attributes not written as fields'),
};

export type HaLayoutConfig = ConfigOf<typeof haLayoutSchema>;
