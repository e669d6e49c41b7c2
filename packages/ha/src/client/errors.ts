/** Errors of the Home Assistant client; each has a stable `code`. */
export class HaClientError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? true;
  }
}

/** HA refused the token (auth_invalid). Fatal: retrying with the same token cannot succeed. */
export class HaAuthError extends HaClientError {
  constructor(url: string, haMessage: string) {
    super(
      'HA_AUTH_INVALID',
      `Home Assistant at ${url} rejected HA_TOKEN (${haMessage}). ` +
        'Create a long-lived access token in your Home Assistant profile and set HA_TOKEN to it.',
      { retryable: false },
    );
  }
}

/** The socket closed (or was never open) while a command waited for its answer. */
export class HaConnectionLostError extends HaClientError {
  constructor(message = 'connection to Home Assistant lost') {
    super('HA_CONNECTION_LOST', message);
  }
}

export class HaTimeoutError extends HaClientError {
  constructor(what: string, ms: number) {
    super('HA_TIMEOUT', `${what} timed out after ${ms} ms`);
  }
}

/** HA answered a command with success=false. */
export class HaCommandError extends HaClientError {
  readonly haCode: string;

  constructor(command: string, haCode: string, message: string) {
    super('HA_COMMAND_FAILED', `${command} failed: ${haCode}: ${message}`, { retryable: haCode === 'timeout' });
    this.haCode = haCode;
  }
}
