import { useTranslation } from "react-i18next";
import type { Schedule } from "../api/console";

/** Weekdays as the form lists them, Monday first; Days is Sunday first. */
const weekdays = [1, 2, 3, 4, 5, 6, 0];

const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, "0")}:${String(min % 60).padStart(2, "0")}`;
const minutes = (v: string) => {
  const [h, m] = v.split(":").map(Number);
  return Number.isFinite(h) && Number.isFinite(m) ? h * 60 + m : NaN;
};

/** The IANA zones the webview knows, for the time zone's suggestions. */
function zones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
}

/** A new schedule: the admin's own time zone, Monday to Friday 09:00–18:00. */
function officeHours(): Schedule {
  const days: [number, number][][] = [[], [], [], [], [], [], []];
  for (const wd of [1, 2, 3, 4, 5]) days[wd] = [[540, 1080]];
  return { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", days };
}

/**
 * A line's business hours: off, or a time zone and each weekday's opening
 * hours (one interval a day; a day with more keeps the first). Metrics and
 * reports count only the time inside them.
 */
export function BusinessHours({ value, onChange, error }: { value?: Schedule | null; onChange: (s: Schedule | null) => void; error?: string }) {
  const { t, i18n } = useTranslation();
  const dayName = (wd: number) =>
    new Intl.DateTimeFormat(i18n.language, { weekday: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2026, 0, 4 + wd)));
  const setDay = (wd: number, iv: [number, number] | null) => {
    if (!value || (iv && !iv.every(Number.isFinite))) return; // a time being typed
    const days = Array.from({ length: 7 }, (_, i) => [...(value.days?.[i] ?? [])]) as [number, number][][];
    days[wd] = iv ? [iv] : [];
    onChange({ ...value, days });
  };
  return (
    <fieldset className={`business-hours${error ? " invalid" : ""}`} data-testid="business-hours">
      <legend>{t("console.admin.businessHours")}</legend>
      <label className="check">
        <input type="checkbox" checked={!!value} onChange={(e) => onChange(e.target.checked ? officeHours() : null)} data-testid="hours-on" />{" "}
        {t("console.admin.hoursOn")}
      </label>
      {value && (
        <>
          <label className="field">
            <span className="field-label">{t("console.admin.timeZone")}</span>
            <input
              name="timeZone"
              list="time-zones"
              value={value.timeZone}
              onChange={(e) => onChange({ ...value, timeZone: e.target.value.trim() })}
              data-testid="hours-zone"
            />
            <datalist id="time-zones">
              {zones().map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </label>
          <table className="hours">
            <tbody>
              {weekdays.map((wd) => {
                const iv = value.days?.[wd]?.[0];
                return (
                  <tr key={wd} data-testid={`hours-day-${wd}`}>
                    <td>
                      <label className="check">
                        <input type="checkbox" checked={!!iv} onChange={(e) => setDay(wd, e.target.checked ? [540, 1080] : null)} /> {dayName(wd)}
                      </label>
                    </td>
                    <td>
                      {iv && (
                        <>
                          <input
                            type="time"
                            aria-label={t("console.admin.opens")}
                            value={hhmm(iv[0])}
                            onChange={(e) => setDay(wd, [minutes(e.target.value), iv[1]])}
                          />
                          {" – "}
                          <input
                            type="time"
                            aria-label={t("console.admin.closes")}
                            value={hhmm(iv[1] === 1440 ? 1439 : iv[1])}
                            onChange={(e) => setDay(wd, [iv[0], minutes(e.target.value) === 1439 ? 1440 : minutes(e.target.value)])}
                          />
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <small>{t("console.admin.hoursHint")}</small>
        </>
      )}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </fieldset>
  );
}
