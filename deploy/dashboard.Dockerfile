# syntax=docker/dockerfile:1
# health-dashboard: the React app built with Vite, served by nginx (deploy/nginx.conf) which proxies the APIs
# and adds the API key server-side.
FROM node:20-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
RUN npm ci --no-audit --no-fund --ignore-scripts --workspace @homeiq/health-dashboard --include-workspace-root=false \
 && npm run build --workspace @homeiq/health-dashboard

FROM nginx:1.27-alpine AS runtime
# The official image runs its entrypoint's envsubst over /etc/nginx/templates/*.template into /etc/nginx/conf.d.
RUN rm -f /etc/nginx/conf.d/default.conf \
 && mkdir -p /var/cache/nginx /var/run/nginx /tmp/nginx \
 && chown -R 1001:1001 /var/cache/nginx /etc/nginx/conf.d /tmp/nginx
COPY deploy/nginx.conf /etc/nginx/templates/default.conf.template
COPY --from=build /src/services/health-dashboard/dist /usr/share/nginx/html
USER 1001:1001
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:3000/healthz || exit 1
