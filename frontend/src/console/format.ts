import i18n from "../i18n";

/** A date and time, in the UI's language. */
export function formatDateTime(ms: number): string {
  if (!ms) return "";
  return new Intl.DateTimeFormat(i18n.language, { dateStyle: "short", timeStyle: "short" }).format(new Date(ms));
}

/** A duration in ms as "1 h 05 min" / "3 min 20 s"; "—" when not measured (-1). */
export function formatDuration(ms: number): string {
  if (ms < 0) return "—";
  const s = Math.round(ms / 1000);
  const nf = new Intl.NumberFormat(i18n.language, { minimumIntegerDigits: 2 });
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const unit = (u: "hour" | "minute" | "second", n: number) =>
    new Intl.NumberFormat(i18n.language, { style: "unit", unit: u, unitDisplay: "narrow" }).format(n);
  if (h > 0) return `${unit("hour", h)} ${nf.format(m)}′`;
  if (m > 0) return `${unit("minute", m)} ${nf.format(sec)}″`;
  return unit("second", sec);
}

/** yyyy-mm-dd of a local day, for <input type="date">. */
export function dayInput(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The start of a local day given as yyyy-mm-dd, in ms; 0 for "". */
export function dayStart(value: string): number {
  if (!value) return 0;
  const t = new Date(`${value}T00:00:00`).getTime();
  return Number.isNaN(t) ? 0 : t;
}

/** Quotes one CSV field. */
function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Offers rows as a CSV file download. */
export function downloadCSV(name: string, header: string[], rows: (string | number)[][]) {
  const text = [header, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n");
  const url = URL.createObjectURL(new Blob(["\ufeff" + text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
