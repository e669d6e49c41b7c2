import { time } from '../format';
import { Link } from './ui';

export interface EventJson {
  entity_id: string;
  state: string;
  last_updated: string;
  last_changed: string;
  attributes: Record<string, unknown>;
  area_id: string | null;
  removed?: true;
}

/** Events, newest first, each linking to its entity page. */
export function EventTable({ events, testId }: { events: EventJson[]; testId?: string }) {
  if (events.length === 0) return <p className="muted">No events.</p>;
  return (
    <div className="scroll">
      <table className="table events" data-testid={testId}>
        <thead>
          <tr>
            <th>Time</th>
            <th>Entity</th>
            <th>State</th>
            <th className="hide-narrow">Area</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={`${e.entity_id}@${e.last_updated}`}>
              <td className="nowrap">{time(e.last_updated)}</td>
              <td>
                <Link to={`/entities/${e.entity_id}`}>{e.entity_id}</Link>
              </td>
              <td>
                {e.removed ? <em>removed</em> : e.state}
                {typeof e.attributes?.unit_of_measurement === 'string' ? ` ${e.attributes.unit_of_measurement}` : ''}
              </td>
              <td className="hide-narrow muted">{e.area_id ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
