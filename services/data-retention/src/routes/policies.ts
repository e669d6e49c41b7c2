import { type HttpApp, ValidationError } from '@homeiq/core';
import { Type } from '@sinclair/typebox';
import type { DataRetention } from '../data-retention';
import { MAX_DAYS, POLICY_FIELDS } from '../policies';

const Days = (description: string) => Type.Integer({ minimum: 0, maximum: MAX_DAYS, description });
const PoliciesSchema = Type.Object({
  raw_days: Days('Days raw events (and weather/sports points) are kept; 0 = forever'),
  short_term_days: Days('Days 5-minute statistics are kept; 0 = forever'),
  hourly_days: Days('Days hourly statistics are kept; 0 = forever'),
});
const PoliciesResponse = Type.Object({
  policies: PoliciesSchema,
  source: Type.Union([Type.Literal('env'), Type.Literal('api')]),
});

export function registerPolicyRoutes(app: HttpApp, service: DataRetention): void {
  app.get(
    '/api/v1/policies',
    { schema: { summary: 'Retention tiers in effect', response: { 200: PoliciesResponse } } },
    async () => service.policies.get(),
  );
  app.put(
    '/api/v1/policies',
    {
      schema: {
        summary: 'Replace the retention tiers (kept in the data dir; applied by the next daily run)',
        body: PoliciesSchema,
        response: { 200: PoliciesResponse },
      },
      preValidation: async (request) => {
        const body = request.body;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
        for (const key of Object.keys(body)) {
          if (!(POLICY_FIELDS as readonly string[]).includes(key)) {
            throw new ValidationError(`body.${key}`, `unknown field (allowed: ${POLICY_FIELDS.join(', ')})`);
          }
        }
      },
    },
    async (request) => ({ policies: service.policies.set(request.body), source: 'api' as const }),
  );
}
