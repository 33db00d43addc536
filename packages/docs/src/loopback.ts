import { isIPv4, isIPv6 } from 'node:net';

/**
 * Whether `host` only accepts connections from this machine: `localhost`, 127.0.0.0/8, ::1
 * (also bracketed, or IPv4-mapped). `0.0.0.0`, `::` and any other name or address are not: the
 * CLI warns before serving on them.
 */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIPv4(h)) return h.split('.')[0] === '127';
  if (isIPv6(h)) {
    const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return isIPv4(mapped[1]!) && mapped[1]!.split('.')[0] === '127';
    const groups = expandIPv6(h);
    return groups !== undefined && groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1;
  }
  return false;
}

function expandIPv6(h: string): number[] | undefined {
  const [head, tail] = h.split('::');
  const a = head ? head.split(':') : [];
  const b = tail !== undefined ? (tail ? tail.split(':') : []) : undefined;
  const parts = b === undefined ? a : [...a, ...new Array<string>(8 - a.length - b.length).fill('0'), ...b];
  if (parts.length !== 8 || parts.some((p) => !/^[0-9a-f]{1,4}$/.test(p))) return undefined;
  return parts.map((p) => parseInt(p, 16));
}
