import { useMemo, useState } from 'react';
import { usePoll } from '../api';
import { Card, ErrorNote, Link, Loading } from '../components/ui';

interface Area {
  area_id: string;
  name: string;
}
interface Device {
  id: string;
  name: string | null;
  name_by_user: string | null;
  area_id: string | null;
  manufacturer: string | null;
  model: string | null;
}
interface Entity {
  entity_id: string;
  name: string | null;
  original_name: string | null;
  device_id: string | null;
  area_id: string | null;
  platform: string | null;
}

const domainOf = (id: string) => id.slice(0, id.indexOf('.'));

/** Browse the registry mirror by area, device and domain. */
export function Entities() {
  const areas = usePoll<{ areas: Area[] }>('data/v1/areas');
  const devices = usePoll<{ devices: Device[] }>('data/v1/devices');
  const [area, setArea] = useState('');
  const [device, setDevice] = useState('');
  const [domain, setDomain] = useState('');
  const [text, setText] = useState('');
  const q = new URLSearchParams();
  if (area) q.set('area_id', area);
  if (device) q.set('device_id', device);
  if (domain) q.set('domain', domain);
  const entities = usePoll<{ entities: Entity[] }>(`data/v1/entities?${q.toString()}`);
  const all = usePoll<{ entities: Entity[] }>('data/v1/entities');

  const domains = useMemo(
    () => [...new Set((all.data?.entities ?? []).map((e) => domainOf(e.entity_id)))].sort(),
    [all.data],
  );
  const deviceName = new Map((devices.data?.devices ?? []).map((d) => [d.id, d.name_by_user ?? d.name ?? d.id]));
  const deviceArea = new Map((devices.data?.devices ?? []).map((d) => [d.id, d.area_id]));
  // An entity without its own area is in its device's area (as in Home Assistant).
  const areaOf = (e: Entity) => e.area_id ?? (e.device_id ? (deviceArea.get(e.device_id) ?? null) : null);
  const areaName = new Map((areas.data?.areas ?? []).map((a) => [a.area_id, a.name]));
  const visibleDevices = (devices.data?.devices ?? []).filter((d) => !area || d.area_id === area);
  const needle = text.trim().toLowerCase();
  const list = (entities.data?.entities ?? []).filter(
    (e) => !needle || e.entity_id.includes(needle) || (e.name ?? e.original_name ?? '').toLowerCase().includes(needle),
  );

  return (
    <div className="grid">
      <Card title="Entities" wide testId="entities">
        <div className="toolbar">
          <select
            value={area}
            onChange={(e) => {
              setArea(e.target.value);
              setDevice('');
            }}
            aria-label="Area"
          >
            <option value="">All areas</option>
            {(areas.data?.areas ?? []).map((a) => (
              <option key={a.area_id} value={a.area_id}>
                {a.name}
              </option>
            ))}
          </select>
          <select value={device} onChange={(e) => setDevice(e.target.value)} aria-label="Device">
            <option value="">All devices</option>
            {visibleDevices.map((d) => (
              <option key={d.id} value={d.id}>
                {deviceName.get(d.id)}
              </option>
            ))}
          </select>
          <select value={domain} onChange={(e) => setDomain(e.target.value)} aria-label="Domain">
            <option value="">All domains</option>
            {domains.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
          <input
            type="search"
            placeholder="Find"
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-label="Find entity"
          />
          <span className="muted" data-testid="entity-count">
            {list.length} entities
          </span>
        </div>
        <ErrorNote error={entities.error ?? areas.error ?? devices.error} />
        <Loading when={entities.loading} />
        <div className="scroll">
          <table className="table" data-testid="entity-list">
            <thead>
              <tr>
                <th>Entity</th>
                <th>Name</th>
                <th className="hide-narrow">Device</th>
                <th className="hide-narrow">Area</th>
              </tr>
            </thead>
            <tbody>
              {list.map((e) => (
                <tr key={e.entity_id}>
                  <td>
                    <Link to={`/entities/${e.entity_id}`}>{e.entity_id}</Link>
                  </td>
                  <td>{e.name ?? e.original_name ?? ''}</td>
                  <td className="hide-narrow">{e.device_id ? (deviceName.get(e.device_id) ?? e.device_id) : ''}</td>
                  <td className="hide-narrow">{areaName.get(areaOf(e) ?? '') ?? areaOf(e) ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
