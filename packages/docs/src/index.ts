/**
 * @tform/docs: the static documentation site `tform docs generate` writes (writeSite) and the
 * server `tform docs serve` runs (serveDocs).
 */
export { writeSite, type WrittenSite } from './write.js';
export { serveDocs, DEFAULT_HOST, DEFAULT_PORT, type ServeOptions, type DocsServer } from './server.js';
export { isLoopbackHost } from './loopback.js';
export { layeredLayout } from './layout.js';
export { requestPath, type RequestPath } from './requestPath.js';
export { dataScript, readDataScript, DATA_GLOBAL } from './dataScript.js';
export { CONTENT_SECURITY_POLICY } from './html.js';
export { isGraphNode, type GraphCandidate } from './graphNodes.js';
export { SITE_LAYOUT_VERSION, type SiteData, type SiteLayout } from './siteTypes.js';
