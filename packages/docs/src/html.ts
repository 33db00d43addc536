/**
 * The site's index.html: a static skeleton (landmarks, labelled controls) that app.js fills.
 * Nothing from the project is written into it except the escaped project name in the title.
 */

/**
 * The Content-Security-Policy of the site, as a meta tag in index.html (and a header when
 * served): scripts and styles only from the site's own files (under file:// Chromium counts the
 * site's folder as 'self'), no inline script or style, no network access from the page.
 * Images: the site's files, data: URIs and https images a description links to.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/** Escape text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** index.html for a project. */
export function indexHtml(projectName: string): string {
  const title = `${escapeHtml(projectName)} · tform docs`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="app.css">
<script src="data.js" defer></script>
<script src="app.js" defer></script>
</head>
<body>
<a class="skip-link" href="#content">Skip to content</a>
<header class="topbar">
  <a class="brand" id="brand" href="#/">${escapeHtml(projectName)}</a>
  <div class="search" id="search">
    <label class="visually-hidden" for="search-input">Search models, sources, seeds, tests and columns</label>
    <input id="search-input" type="search" placeholder="Search models, columns…" autocomplete="off" spellcheck="false"
      role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="search-results">
    <ul id="search-results" class="search-results" role="listbox" aria-label="Search results" hidden></ul>
  </div>
</header>
<div class="layout">
  <nav class="sidebar" id="sidebar" aria-label="Project nodes"></nav>
  <main class="main">
    <section class="graph-panel" id="graph-panel" aria-label="Lineage graph">
      <div class="graph-toolbar">
        <form class="graph-filter" id="graph-filter" role="search">
          <label for="filter-input">Filter graph</label>
          <input id="filter-input" type="text" placeholder="e.g. stg_events+ layer:gold" autocomplete="off" spellcheck="false"
            aria-describedby="filter-status">
          <button type="submit">Apply</button>
          <button type="button" id="filter-clear">Show all</button>
        </form>
        <div class="graph-focus" id="graph-focus">
          <label for="focus-up">Upstream</label>
          <select id="focus-up"></select>
          <label for="focus-down">Downstream</label>
          <select id="focus-down"></select>
          <button type="button" id="focus-clear">Clear focus</button>
        </div>
        <p class="filter-status" id="filter-status" role="status" aria-live="polite"></p>
      </div>
      <div class="graph" id="graph" role="img" aria-label="Lineage graph of the project: click a node to open it"></div>
      <ul class="legend" id="legend" aria-label="Colours by layer"></ul>
    </section>
    <article class="content" id="content" tabindex="-1" aria-live="polite"></article>
  </main>
</div>
<noscript><p class="noscript">This site needs JavaScript.</p></noscript>
</body>
</html>
`;
}
