import DOMPurify from 'dompurify';
import { marked } from 'marked';

/**
 * User markdown (descriptions, the overview) as sanitised DOM: marked renders it, DOMPurify
 * removes scripts, event handler attributes, `javascript:` URLs, styles and forms, and the
 * result is inserted as nodes, never re-parsed as HTML. Links to other sites open in a new tab
 * without a referrer.
 */
let hooked = false;

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node instanceof HTMLAnchorElement && /^https?:/i.test(node.getAttribute('href') ?? '')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
}

/** Render markdown to a sanitised fragment. */
export function markdown(md: string): DocumentFragment {
  installHooks();
  const html = marked.parse(md, { async: false, gfm: true });
  return DOMPurify.sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed'],
    FORBID_ATTR: ['style'],
  });
}
