import { useEffect, useState } from "react";
import { NamedSelect } from "./NamedSelect";
import { useTranslation } from "react-i18next";
import { supervisor, type ReportBy, type ReportView, type TableOptions } from "../api/console";
import type { ApiError } from "../api/types";
import { AnalyticsReports } from "./AnalyticsReports";
import { dayInput, dayStart, downloadCSV, formatDuration } from "./format";

const day = 24 * 3600 * 1000;

/**
 * The reports over a period, aggregated by the team server: the charted
 * ones (AnalyticsReports), then dialogs per operator, line or channel.
 */
export function ReportsPanel({ onError }: { onError: (e: ApiError) => void }) {
  const { t } = useTranslation();
  const [from, setFrom] = useState(() => dayInput(Date.now() - 29 * day));
  const [to, setTo] = useState(() => dayInput(Date.now()));
  const [by, setBy] = useState<ReportBy>("operator");
  const [lineId, setLineId] = useState("");
  const [options, setOptions] = useState<TableOptions | null>(null);
  const [report, setReport] = useState<ReportView | null>(null);

  useEffect(() => {
    supervisor
      .options()
      .then(setOptions)
      .catch(onError);
  }, [onError]);
  useEffect(() => {
    const start = dayStart(from);
    const end = dayStart(to) + day;
    if (!start || end <= start) return;
    supervisor.report(start, end, by, lineId).then(setReport).catch(onError);
  }, [from, to, by, lineId, onError]);

  const cols: [string, (r: ReportView["rows"][number]) => string | number][] = [
    ["dialogs", (r) => r.dialogs],
    ["closed", (r) => r.closed],
    ["spam", (r) => r.spam],
    ["answered", (r) => r.answered],
    ["frAvg", (r) => (r.answered ? formatDuration(r.firstResponseAvgMs) : "—")],
    ["frMax", (r) => (r.answered ? formatDuration(r.firstResponseMaxMs) : "—")],
    ["handlingAvg", (r) => (r.handled ? formatDuration(r.handlingAvgMs) : "—")],
    ["durationAvg", (r) => formatDuration(r.closed + r.spam ? r.durationAvgMs : -1)],
  ];
  const name = (r: ReportView["rows"][number]) => r.name || t("console.reports.nobody");
  const exportCSV = () =>
    report &&
    downloadCSV(
      `report-${by}-${from}-${to}.csv`,
      [t(`console.reports.by${by[0].toUpperCase()}${by.slice(1)}`), ...cols.map(([k]) => t(`console.reports.${k}`))],
      report.rows.map((r) => [name(r), ...cols.map(([, f]) => f(r))]),
    );

  const start = dayStart(from);
  const end = dayStart(to) + day;
  return (
    <div className="reports" data-testid="reports">
      <div className="table-filters">
        <label>
          {t("console.reports.from")} <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t("console.reports.to")} <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </div>
      <AnalyticsReports from={start} to={end} fromLabel={from} toLabel={to} options={options} onError={onError} />
      <h3 className="report-section">{t("console.reports.summary")}</h3>
      <div className="table-filters">
        <label>
          {t("console.reports.by")}{" "}
          <select value={by} onChange={(e) => setBy(e.target.value as ReportBy)} data-testid="report-by">
            <option value="operator">{t("console.reports.byOperator")}</option>
            <option value="line">{t("console.reports.byLine")}</option>
            <option value="channel">{t("console.reports.byChannel")}</option>
          </select>
        </label>
        <NamedSelect value={lineId} onChange={setLineId} items={options?.lines} empty={t("console.table.allLines")} label={t("console.columns.line")} />
        <button type="button" onClick={exportCSV}>
          {t("console.reports.export")}
        </button>
      </div>
      {report && report.rows.length === 0 ? (
        <p className="table-empty">{t("console.reports.empty")}</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th />
              {cols.map(([k]) => (
                <th key={k}>{t(`console.reports.${k}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report?.rows.map((r) => (
              <tr key={r.key} data-testid="report-row" data-key={r.key}>
                <td>{name(r)}</td>
                {cols.map(([k, f]) => (
                  <td key={k} className="num">
                    {f(r)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
