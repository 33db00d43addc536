/**
 * Building DOM without HTML strings: every piece of user text goes in through textContent or an
 * attribute value, never through innerHTML (markdown.ts is the one sanitised exception).
 */

type Child = Node | string | null | undefined | false;

/** Properties of el(): a class name, attributes, and the element's text. */
export interface ElProps {
  class?: string;
  text?: string;
  attrs?: Record<string, string | undefined>;
}

/** Create an element with attributes and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElProps = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) if (v !== undefined) e.setAttribute(k, v);
  if (props.text !== undefined) e.textContent = props.text;
  append(e, children);
  return e;
}

/** Append children, skipping empty ones. */
export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Remove every child of `e`. */
export function clear(e: Element): void {
  e.replaceChildren();
}

/** A `<section>` with a heading, or nothing when it has no content. */
export function section(title: string, content: Child[], cls = ''): HTMLElement {
  return el('section', { class: `section ${cls}`.trim() }, [el('h2', { text: title }), ...content]);
}

/** A small label (resource type, layer, tag, status). */
export function badge(text: string, kind = ''): HTMLElement {
  return el('span', { class: `badge ${kind}`.trim(), text });
}
