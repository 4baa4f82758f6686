import { useTranslation } from "react-i18next";
import type { ColumnFilter, TableOptions } from "../api/console";
import { dayStart } from "./format";

/** What the supervisor typed or chose in one column's filter, as typed. */
export interface FilterValue {
  text?: string;
  value?: string;
  min?: string;
  max?: string;
}

export const statuses = ["unassigned", "in_progress", "snoozed", "closed", "spam"];
const detailed = ["new", "queued", "taken", "client_waiting", "client_waiting_again", "operator_answered", "closing", "closed", "spam"];
export const timeColumns = new Set(["created", "queued", "firstAnswer", "started", "lastMessage", "closed", "modified"]);
export const durationColumns = new Set(["firstResponse", "timeToStart", "handling", "duration", "responseTotal", "responseAvg", "responseMax"]);

const day = 24 * 3600 * 1000;
const minute = 60 * 1000;

/** The column filters the backend takes, from what was typed (blank and bad numbers are left out). */
export function toColumnFilters(values: Record<string, FilterValue>, kinds: Record<string, string>): ColumnFilter[] {
  const out: ColumnFilter[] = [];
  for (const [column, v] of Object.entries(values)) {
    const kind = kinds[column];
    if (kind === "text" && v.text?.trim()) out.push({ column, text: v.text.trim() });
    if (kind === "choice" && v.value) out.push({ column, values: [v.value] });
    if (kind === "range") {
      const f: ColumnFilter = { column };
      const num = (s: string | undefined, end: boolean): number | undefined => {
        if (!s) return undefined;
        if (timeColumns.has(column)) {
          const d = dayStart(s);
          return d ? (end ? d + day - 1 : d) : undefined;
        }
        const n = Number(s);
        if (!Number.isFinite(n)) return undefined;
        return durationColumns.has(column) ? Math.round(n * minute) : n;
      };
      f.min = num(v.min, false);
      f.max = num(v.max, true);
      if (f.min !== undefined || f.max !== undefined) out.push(f);
    }
  }
  return out;
}

interface Props {
  column: string;
  kind: string | undefined;
  options: TableOptions;
  value: FilterValue;
  onChange: (v: FilterValue) => void;
}

/** The filter under one column's heading: contains, a choice, or a range. */
export function ColumnFilterCell({ column, kind, options, value, onChange }: Props) {
  const { t } = useTranslation();
  const label = t(`console.columns.${column}`);
  if (kind === "text") {
    return (
      <input
        type="search"
        value={value.text ?? ""}
        placeholder={t("console.filter.contains")}
        aria-label={t("console.filter.label", { column: label })}
        onChange={(e) => onChange({ text: e.target.value })}
        data-testid={`colfilter-${column}`}
      />
    );
  }
  if (kind === "choice") {
    let choices: { id: string; name: string }[] = [];
    switch (column) {
      case "status":
        choices = statuses.map((s) => ({ id: s, name: t(`status.${s}`) }));
        break;
      case "detailed":
        choices = detailed.map((s) => ({ id: s, name: t(`console.detailed.${s}`) }));
        break;
      case "type":
        choices = [
          { id: "incoming", name: t("console.table.incoming") },
          { id: "outgoing", name: t("console.table.outgoing") },
        ];
        break;
      case "line":
        choices = options.lines;
        break;
      case "channel":
        choices = options.channels;
        break;
      case "operator":
        choices = [{ id: "-", name: t("console.table.nobody") }, ...options.operators];
        break;
      case "tags":
        choices = options.tags;
        break;
    }
    return (
      <select value={value.value ?? ""} onChange={(e) => onChange({ value: e.target.value })} aria-label={t("console.filter.label", { column: label })} data-testid={`colfilter-${column}`}>
        <option value="">{t("console.filter.any")}</option>
        {choices.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    );
  }
  if (kind === "range") {
    const time = timeColumns.has(column);
    const unit = durationColumns.has(column) ? t("console.filter.minutes") : "";
    const input = (k: "min" | "max") => (
      <input
        type={time ? "date" : "number"}
        min={time ? undefined : 0}
        value={value[k] ?? ""}
        placeholder={k === "min" ? t("console.filter.min") : t("console.filter.max")}
        title={unit}
        aria-label={t(k === "min" ? "console.filter.minOf" : "console.filter.maxOf", { column: label })}
        onChange={(e) => onChange({ ...value, [k]: e.target.value })}
        data-testid={`colfilter-${column}-${k}`}
      />
    );
    return (
      <span className="range-filter">
        {input("min")}
        {input("max")}
      </span>
    );
  }
  return null;
}
