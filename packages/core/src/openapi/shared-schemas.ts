/** Shapes every service shares, emitted once under components.schemas and referenced from each operation. */

export const ErrorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'Stable error code, e.g. bad_request, not_found, unauthorized' },
    message: { type: 'string', description: 'What was wrong; a 400 names the parameter' },
    field: { type: 'string', description: 'The parameter that was wrong (400 only)' },
    correlationId: { type: 'string', description: 'The X-Correlation-ID of the request (500 only)' },
  },
  additionalProperties: true,
} as const;

export const HealthCheckSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] },
    reason: { type: 'string', description: 'Why it is not healthy' },
  },
  additionalProperties: true,
} as const;

export const HealthReportSchema = {
  type: 'object',
  required: ['service', 'status', 'reasons', 'uptimeSeconds', 'version', 'checks'],
  properties: {
    service: { type: 'string' },
    status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'], description: 'The worst of the checks' },
    reasons: { type: 'array', items: { type: 'string' } },
    uptimeSeconds: { type: 'integer' },
    version: { type: 'string' },
    checks: { type: 'object', additionalProperties: { $ref: '#/components/schemas/HealthCheck' } },
  },
} as const;

export const SHARED_SCHEMAS: Record<string, object> = {
  Error: ErrorSchema,
  HealthCheck: HealthCheckSchema,
  HealthReport: HealthReportSchema,
};

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/** Responses every keyed operation can give, referenced instead of repeated. */
export const SHARED_RESPONSES: Record<string, { description: string; content: typeof errorContent }> = {
  BadRequest: { description: 'A parameter is invalid; `field` names it', content: errorContent },
  Unauthorized: { description: 'No API key: send Authorization: Bearer <API_KEY>', content: errorContent },
  Forbidden: { description: 'Wrong API key', content: errorContent },
};
