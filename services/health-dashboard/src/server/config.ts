import { oneOf, str } from '@homeiq/core';

export const dashboardSchema = {
  build: oneOf(
    'DASHBOARD_BUILD',
    'auto: build the app on start when dist/ is missing or older than its sources; never: serve dist/ as it is',
    ['auto', 'never'],
    'auto',
  ),
  distDir: str('DASHBOARD_DIST', 'Folder of the built app (default: the package dist/)', ''),
};
