import i18n from "../i18n";

/** A dialog row's time: the clock today, the date otherwise. */
export function formatListTime(ms: number): string {
  if (!ms) return "";
  const d = new Date(ms);
  const now = new Date();
  const sameDay = d.toDateString() === now.toDateString();
  return new Intl.DateTimeFormat(i18n.language, sameDay ? { hour: "2-digit", minute: "2-digit" } : { day: "numeric", month: "short" }).format(d);
}

export function formatClock(ms: number): string {
  return ms ? new Intl.DateTimeFormat(i18n.language, { hour: "2-digit", minute: "2-digit" }).format(new Date(ms)) : "";
}

export function formatDay(ms: number): string {
  return new Intl.DateTimeFormat(i18n.language, { dateStyle: "long" }).format(new Date(ms));
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(i18n.language).format(n);
}

/** A file size in the operator's language: "512 KB", "10 MB". */
export function formatBytes(n: number): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return new Intl.NumberFormat(i18n.language, { style: "unit", unit: units[i], unitDisplay: "short", maximumFractionDigits: i === 0 ? 0 : 1 }).format(v);
}
