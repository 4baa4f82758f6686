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
