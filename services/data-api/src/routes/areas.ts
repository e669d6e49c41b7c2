import { NotFoundError } from '@homeiq/core';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../context';
import type { ApiApp } from '../routes';
import { AreaSchema, DeviceSchema, EntitySchema, FilterText, withErrors } from '../schemas';

export function registerAreaRoutes(app: ApiApp, ctx: RouteContext): void {
  app.get(
    '/api/v1/areas',
    {
      schema: {
        summary: 'Areas from the registry mirror (metadata.db)',
        tags: ['registry'],
        response: withErrors({ 200: Type.Object({ areas: Type.Array(AreaSchema) }) }),
      },
    },
    async () => ({ areas: ctx.metadata().listAreas() }),
  );

  app.get(
    '/api/v1/areas/:area_id',
    {
      schema: {
        summary: 'One area with its devices and entities',
        description: "entities: those in the area directly or through their device's area.",
        tags: ['registry'],
        params: Type.Object({ area_id: FilterText }),
        response: withErrors(
          {
            200: Type.Composite([
              AreaSchema,
              Type.Object({ devices: Type.Array(DeviceSchema), entities: Type.Array(EntitySchema) }),
            ]),
          },
          true,
        ),
      },
    },
    async (request) => {
      const metadata = ctx.metadata();
      const area = metadata.getArea(request.params.area_id);
      if (!area) throw new NotFoundError('area', request.params.area_id);
      return {
        ...area,
        devices: metadata.listDevices({ areaId: area.area_id }),
        entities: metadata.listEntities({ areaId: area.area_id }),
      };
    },
  );
}
