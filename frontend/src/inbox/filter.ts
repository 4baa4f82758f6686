import type { DialogFilter } from "../api/types";

/** The filter without its empty fields: what is sent, saved and compared. */
export function cleanFilter(f: DialogFilter): DialogFilter {
  const out: DialogFilter = {};
  for (const [k, v] of Object.entries(f) as [keyof DialogFilter, string | number | undefined][]) {
    if (v !== undefined && v !== "" && v !== 0) (out as Record<string, string | number>)[k] = v;
  }
  return out;
}

/** Whether two filters narrow the list the same way. */
export function sameFilter(a: DialogFilter, b: DialogFilter): boolean {
  const ca = cleanFilter(a);
  const cb = cleanFilter(b);
  const keys = new Set([...Object.keys(ca), ...Object.keys(cb)]) as Set<keyof DialogFilter>;
  for (const k of keys) if (ca[k] !== cb[k]) return false;
  return true;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The local midnight starting a date input's day ("2026-03-01"), unix ms. */
export function dayStart(value: string): number {
  const [y, m, d] = value.split("-").map(Number);
  return new Date(y, m - 1, d).getTime();
}

/** The local midnight after a date input's day: the exclusive end of a range that includes it. */
export function dayAfter(value: string): number {
  const [y, m, d] = value.split("-").map(Number);
  return new Date(y, m - 1, d + 1).getTime();
}

/** A date input's value for the local day holding ms. */
export function dayOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
