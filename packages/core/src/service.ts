import type { HttpApp } from './http';
import type { ServiceName } from './services';

/** What every service factory returns. Nothing listens or connects until start(). */
export interface Service {
  readonly name: ServiceName;
  readonly app: HttpApp;
  /** Opens what the service needs, then listens on its port. */
  start(): Promise<void>;
  /** Stops taking work, flushes, closes; idempotent. */
  stop(): Promise<void>;
  /** The bound port once started (differs from the configured one when that was 0). */
  readonly port: number | undefined;
}
