/** Base error with a stable code; `retryable` tells a caller whether trying again can help. */
export class HomeIqError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Bad input from a caller: becomes HTTP 400 naming the field. */
export class ValidationError extends HomeIqError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('VALIDATION', `${field}: ${message}`);
    this.field = field;
  }
}

export class NotFoundError extends HomeIqError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} not found: ${id}`);
  }
}

/** Every configuration problem found at start, reported at once. */
export class ConfigError extends HomeIqError {
  readonly problems: string[];

  constructor(problems: string[]) {
    super('CONFIG', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
