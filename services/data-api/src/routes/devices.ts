import { NotFoundError } from '@homeiq/core';
import { Type } from '@sinclair/typebox';
import type { RouteContext } from '../context';
import type { ApiApp } from '../routes';
import { DeviceSchema, EntitySchema, FilterText, withErrors } from '../schemas';

export function registerDeviceRoutes(app: ApiApp, ctx: RouteContext): void {
  app.get(
    '/api/v1/devices',
    {
      schema: {
        summary: 'Devices from the registry mirror (metadata.db)',
        tags: ['registry'],
        querystring: Type.Object({ area_id: Type.Optional(FilterText) }),
        response: withErrors({ 200: Type.Object({ devices: Type.Array(DeviceSchema) }) }),
      },
    },
    async (request) => ({ devices: ctx.metadata().listDevices({ areaId: request.query.area_id }) }),
  );

  app.get(
    '/api/v1/devices/:device_id',
    {
      schema: {
        summary: 'One device with its entities',
        tags: ['registry'],
        params: Type.Object({ device_id: FilterText }),
        response: withErrors(
          { 200: Type.Composite([DeviceSchema, Type.Object({ entities: Type.Array(EntitySchema) })]) },
          true,
        ),
      },
    },
    async (request) => {
      const metadata = ctx.metadata();
      const device = metadata.getDevice(request.params.device_id);
      if (!device) throw new NotFoundError('device', request.params.device_id);
      return { ...device, entities: metadata.listEntities({ deviceId: device.id }) };
    },
  );
}
