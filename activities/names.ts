// Every resource a drill creates is named after the drill and labelled with it, so cleanup can find
// all of them, and no action touches anything without the label.
export const RUN_LABEL = 'drill.run';
export const NAME_LABEL = 'drill.name';
export const SITE_LABEL = 'drill.site';
export const resourceName = (drillId: string, name: string) => `drill-${drillId}-${name}`;
/** Where the host reaches published ports: loopback locally, the engine's host when DOCKER_HOST is remote. */
export const publishHost = () => process.env.DRILL_PUBLISH_HOST ?? '127.0.0.1';
