/**
 * Shell-style wildcards, as dbt's fnmatch: `*` any run of characters, `?` one character, `[abc]`
 * / `[!abc]` a character class. Paths use glob semantics instead: `*` stays within a folder and
 * `**` crosses folders.
 */

export function hasGlob(s: string): boolean {
  return /[*?[]/.test(s);
}

function toRegExp(pattern: string, path: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      const double = pattern[i + 1] === '*';
      if (double) i++;
      if (path && double && pattern[i + 1] === '/') {
        i++;
        re += '(?:.*/)?'; // `**/` matches zero or more folders
      } else {
        re += path && !double ? '[^/]*' : '.*';
      }
    } else if (ch === '?') {
      re += path ? '[^/]' : '.';
    } else if (ch === '[' && pattern.indexOf(']', i + 2) > i) {
      const end = pattern.indexOf(']', i + 2);
      let cls = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (cls.startsWith('!')) cls = '^' + cls.slice(1);
      re += `[${cls}]`;
      i = end;
    } else {
      re += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

/** A matcher for names, tags, fqn parts, config values: exact unless the pattern has wildcards. */
export function nameMatcher(pattern: string): (s: string) => boolean {
  if (!hasGlob(pattern)) return (s) => s === pattern;
  const re = toRegExp(pattern, false);
  return (s) => re.test(s);
}

/** A matcher for project-relative paths (forward slashes). */
export function pathGlob(pattern: string): (s: string) => boolean {
  const re = toRegExp(pattern, true);
  return (s) => re.test(s);
}
