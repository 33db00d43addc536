/* Python's datetime.strftime for UTC datetimes (the directives dbt projects use). */

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const p2 = (n: number) => String(n).padStart(2, '0');

function dayOfYear(d: Date): number {
  return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
}

export function strftime(d: Date, fmt: string): string {
  return fmt.replace(/%([a-zA-Z%])/g, (m, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getUTCFullYear()).padStart(4, '0');
      case 'y':
        return p2(d.getUTCFullYear() % 100);
      case 'm':
        return p2(d.getUTCMonth() + 1);
      case 'd':
        return p2(d.getUTCDate());
      case 'H':
        return p2(d.getUTCHours());
      case 'I':
        return p2(d.getUTCHours() % 12 || 12);
      case 'p':
        return d.getUTCHours() < 12 ? 'AM' : 'PM';
      case 'M':
        return p2(d.getUTCMinutes());
      case 'S':
        return p2(d.getUTCSeconds());
      case 'f':
        return String(d.getUTCMilliseconds() * 1000).padStart(6, '0');
      case 'j':
        return String(dayOfYear(d)).padStart(3, '0');
      case 'a':
        return DAYS[d.getUTCDay()]!.slice(0, 3);
      case 'A':
        return DAYS[d.getUTCDay()]!;
      case 'w':
        return String(d.getUTCDay());
      case 'b':
        return MONTHS[d.getUTCMonth()]!.slice(0, 3);
      case 'B':
        return MONTHS[d.getUTCMonth()]!;
      case 'z':
        return '+0000';
      case 'Z':
        return 'UTC';
      case '%':
        return '%';
      default:
        return m;
    }
  });
}
