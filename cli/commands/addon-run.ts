import { addonEnvironment } from '../addon/environment';
import { run as start } from './start';

export const summary =
  'Run as a Home Assistant add-on: options from /data/options.json, Home Assistant via the Supervisor';
export const usage = `homeiq addon-run

  What the HomeIQ add-on's container runs. Reads the add-on options the Supervisor wrote to /data/options.json,
  keeps every file in /data, and without HA_URL connects to Home Assistant through the Supervisor's proxy
  (ws://supervisor/core/websocket) with SUPERVISOR_TOKEN. The dashboard answers Home Assistant's ingress:
  requests from the Supervisor's address (DASHBOARD_INGRESS_FROM) are signed in by Home Assistant already.
  Then it is \`homeiq start\`: every service in this process.`;

export async function run(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write('homeiq addon-run: takes no arguments (settings come from the add-on options)\n');
    return 2;
  }
  const env = addonEnvironment(process.env);
  Object.assign(process.env, env);
  const via = process.env.HA_TOKEN === process.env.SUPERVISOR_TOKEN ? 'the Supervisor proxy' : 'HA_URL';
  process.stderr.write(`homeiq addon-run: data in ${env.HOMEIQ_DATA_DIR}; Home Assistant through ${via}\n`);
  return start([]);
}
