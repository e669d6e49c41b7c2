#!/usr/bin/env node
// HomeIQ's command line. The sources are TypeScript; tsx compiles them on the fly.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
