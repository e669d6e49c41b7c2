import { NotFoundError } from '@homeiq/core';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../context';
import type { ApiApp } from '../routes';
import { Domain, EntityId, EntitySchema, FilterText, withErrors } from '../schemas';

export function registerEntityRoutes(app: ApiApp, ctx: RouteContext): void {
  app.get(
    '/api/v1/entities',
    {
      schema: {
        summary: 'Entities from the registry mirror (metadata.db)',
        description: 'Filters combine with AND; area_id matches the entity area, or its device area when it has none.',
        tags: ['registry'],
        querystring: Type.Object({
          domain: Type.Optional(Domain),
          device_id: Type.Optional(FilterText),
          area_id: Type.Optional(FilterText),
          platform: Type.Optional(FilterText),
        }),
        response: withErrors({ 200: Type.Object({ entities: Type.Array(EntitySchema) }) }),
      },
    },
    async (request) => {
      const q = request.query;
      const entities = ctx.metadata().listEntities({
        domain: q.domain,
        deviceId: q.device_id,
        areaId: q.area_id,
        platform: q.platform,
      });
      return { entities };
    },
  );

  app.get(
    '/api/v1/entities/:entity_id',
    {
      schema: {
        summary: 'One entity from the registry mirror',
        tags: ['registry'],
        params: Type.Object({ entity_id: EntityId }),
        response: withErrors(
          {
            200: Type.Composite([
              EntitySchema,
              Type.Object({
                effective_area_id: Type.Union([Type.String(), Type.Null()], {
                  description: 'The entity area, else its device area',
                }),
              }),
            ]),
          },
          true,
        ),
      },
    },
    async (request) => {
      const metadata = ctx.metadata();
      const entity = metadata.getEntity(request.params.entity_id);
      if (!entity) throw new NotFoundError('entity', request.params.entity_id);
      return { ...entity, effective_area_id: metadata.effectiveAreaId(entity.entity_id) };
    },
  );
}
