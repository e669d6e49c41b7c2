// The simulated home in its own process for the ingest and influx benches (so it does not share a CPU core with the client
// under test). Controlled over IPC: { cmd: 'burst', count } -> { done: 'burst' }; { cmd: 'rate', value }; { cmd: 'stop' }.
import { startSimulatedHome } from '@homeiq/ha';

const home = await startSimulatedHome({ rate: 0, entityCount: Number(process.env.SIM_ENTITIES ?? 300), seed: 42 });
process.send?.({ ready: true, url: home.url, token: home.token });
process.on('message', async (msg: { cmd: string; count?: number; value?: number }) => {
  if (msg.cmd === 'burst') {
    await home.controls.burst(msg.count ?? 0);
    process.send?.({ done: 'burst', emitted: home.controls.emitted().length });
  } else if (msg.cmd === 'rate') {
    home.controls.setRate(msg.value ?? 0);
  } else if (msg.cmd === 'stop') {
    await home.stop();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
