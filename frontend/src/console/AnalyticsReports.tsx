import { useEffect, useMemo, useState } from "react";
import { NamedSelect } from "./NamedSelect";
import { useTranslation } from "react-i18next";
import { supervisor, type AnalyticsView, type TableOptions } from "../api/console";
import type { ApiError } from "../api/types";
import { Chart, type ChartSeries } from "./Chart";
import { downloadCSV, formatDuration } from "./format";

/** avg of a sum over a count, -1 (shown "—") for none. */
const avg = (sum: number, n: number) => (n ? Math.round(sum / n) : -1);
const oneDecimal = (v: number) => v.toFixed(1);
const percent = (v: number) => `${Math.round(v)} %`;
const fixed = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : "—");

interface Props {
  from: number;
  to: number;
  fromLabel: string;
  toLabel: string;
  options: TableOptions | null;
  onError: (e: ApiError) => void;
}

/**
 * The charted reports: dialogs per day by line or channel, first response
 * and resolution percentiles, CSAT per day, load per operator and tags,
 * for one period and filters; each exports its figures as CSV. Names are
 * text nodes (or canvas text), never markup.
 */
export function AnalyticsReports({ from, to, fromLabel, toLabel, options, onError }: Props) {
  const { t } = useTranslation();
  const [by, setBy] = useState<"line" | "channel">("line");
  const [lineId, setLineId] = useState("");
  const [channelId, setChannelId] = useState("");
  const [operatorId, setOperatorId] = useState("");
  const [view, setView] = useState<AnalyticsView | null>(null);

  useEffect(() => {
    if (!from || to <= from) return;
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
    supervisor.analytics({ from, to, timeZone, by, lineId, channelId, operatorId }).then(setView).catch(onError);
  }, [from, to, by, lineId, channelId, operatorId, onError]);

  const name = (key: string) => (view && view.names[key]) || key || t("console.reports.nobody");
  const file = (what: string) => `${what}-${fromLabel}-${toLabel}.csv`;

  const volume = useMemo<ChartSeries[]>(() => {
    if (!view) return [];
    const keys = [...new Set(view.volume.map((r) => r.key))];
    return keys.map((k) => {
      const values = view.days.map(() => 0 as number | null);
      for (const r of view.volume) if (r.key === k) values[r.day] = r.dialogs;
      return { label: (view.names[k] || k) ?? "", values };
    });
  }, [view]);
  const csat = useMemo<{ avg: ChartSeries[]; good: ChartSeries[] }>(() => {
    if (!view) return { avg: [], good: [] };
    const avgs = view.days.map(() => null as number | null);
    const good = view.days.map(() => null as number | null);
    for (const r of view.csat) {
      avgs[r.day] = r.ratings ? r.sum / r.ratings : null;
      good[r.day] = r.ratings ? (100 * r.good) / r.ratings : null;
    }
    return {
      avg: [{ label: t("console.reports.csatAvg"), values: avgs }],
      good: [{ label: t("console.reports.csatGood"), values: good }],
    };
  }, [view, t]);

  if (!view) return null;
  const total = view.percentiles[0];
  const ratings = view.csat.reduce((a, r) => a + r.ratings, 0);
  const ratingSum = view.csat.reduce((a, r) => a + r.sum, 0);
  const goodSum = view.csat.reduce((a, r) => a + r.good, 0);
  const pctCols: [string, (r: AnalyticsView["percentiles"][number]) => string | number][] = [
    ["answered", (r) => r.answered],
    ["frtP50", (r) => (r.answered ? formatDuration(r.frtP50Ms) : "—")],
    ["frtP90", (r) => (r.answered ? formatDuration(r.frtP90Ms) : "—")],
    ["frtP95", (r) => (r.answered ? formatDuration(r.frtP95Ms) : "—")],
    ["resolved", (r) => r.resolved],
    ["resP50", (r) => (r.resolved ? formatDuration(r.resP50Ms) : "—")],
    ["resP90", (r) => (r.resolved ? formatDuration(r.resP90Ms) : "—")],
    ["resP95", (r) => (r.resolved ? formatDuration(r.resP95Ms) : "—")],
  ];
  const loadCols: [string, (r: AnalyticsView["operators"][number]) => string | number][] = [
    ["dialogs", (r) => r.dialogs],
    ["inProgress", (r) => r.inProgress],
    ["closed", (r) => r.closed],
    ["frAvg", (r) => formatDuration(avg(r.frtSumMs, r.answered))],
    ["responses", (r) => r.responses],
    ["responseAvg", (r) => formatDuration(avg(r.responseTotalMs, r.responses))],
    ["responseMax", (r) => (r.responses ? formatDuration(r.responseMaxMs) : "—")],
    ["csatAvg", (r) => (r.ratings ? fixed(r.ratingSum / r.ratings) : "—")],
  ];
  const tagCols: [string, (r: AnalyticsView["tags"][number]) => string | number][] = [
    ["dialogs", (r) => r.dialogs],
    ["frAvg", (r) => formatDuration(avg(r.frtSumMs, r.answered))],
    ["resolutionAvg", (r) => formatDuration(avg(r.resolutionSumMs, r.resolved))],
  ];
  const csvOf = <R,>(what: string, keyHead: string, cols: [string, (r: R) => string | number][], rows: R[], key: (r: R) => string) =>
    downloadCSV(
      file(what),
      [keyHead, ...cols.map(([k]) => t(`console.reports.${k}`))],
      rows.map((r) => [key(r), ...cols.map(([, f]) => f(r))]),
    );
  const table = <R,>(testId: string, cols: [string, (r: R) => string | number][], rows: R[], key: (r: R) => string) => (
    <table className="grid" data-testid={testId}>
      <thead>
        <tr>
          <th />
          {cols.map(([k]) => (
            <th key={k}>{t(`console.reports.${k}`)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            <td>{key(r)}</td>
            {cols.map(([k, f]) => (
              <td key={k} className="num">
                {f(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
  const pctName = (r: AnalyticsView["percentiles"][number]) => (r.key ? name(r.key) : t("console.reports.all"));
  const groupHead = t(by === "line" ? "console.reports.byLine" : "console.reports.byChannel");

  return (
    <div className="analytics" data-testid="analytics">
      <div className="table-filters">
        <label>
          {t("console.reports.chartsBy")}{" "}
          <select value={by} onChange={(e) => setBy(e.target.value as "line" | "channel")} data-testid="analytics-by">
            <option value="line">{t("console.reports.byLine")}</option>
            <option value="channel">{t("console.reports.byChannel")}</option>
          </select>
        </label>
        <NamedSelect value={lineId} onChange={setLineId} items={options?.lines} empty={t("console.table.allLines")} label={t("console.columns.line")} testid="analytics-line" />
        <NamedSelect value={channelId} onChange={setChannelId} items={options?.channels} empty={t("console.table.allChannels")} label={t("console.columns.channel")} />
        <NamedSelect value={operatorId} onChange={setOperatorId} items={options?.operators} empty={t("console.table.allOperators")} label={t("console.columns.operator")} />
      </div>

      <section className="report-section">
        <h3>
          {t("console.reports.perDay")}
          <button
            type="button"
            onClick={() =>
              downloadCSV(
                file("dialogs-per-day"),
                [t("console.reports.day"), groupHead, t("console.reports.dialogs")],
                view.volume.map((r) => [view.days[r.day], name(r.key), r.dialogs]),
              )
            }
          >
            {t("console.reports.export")}
          </button>
        </h3>
        {view.volume.length === 0 ? (
          <p className="table-empty">{t("console.reports.empty")}</p>
        ) : (
          <Chart days={view.days} series={volume} testId="chart-volume" />
        )}
      </section>

      <section className="report-section">
        <h3>
          {t("console.reports.percentiles")}
          <button type="button" onClick={() => csvOf("percentiles", groupHead, pctCols, view.percentiles, pctName)}>
            {t("console.reports.export")}
          </button>
        </h3>
        <div className="figures">
          {(
            [
              ["frtP50", total?.answered ? total.frtP50Ms : -1],
              ["frtP90", total?.answered ? total.frtP90Ms : -1],
              ["resP50", total?.resolved ? total.resP50Ms : -1],
              ["resP90", total?.resolved ? total.resP90Ms : -1],
            ] as [string, number][]
          ).map(([k, v]) => (
            <div className="figure" key={k} data-testid={`figure-${k}`}>
              {t(`console.reports.${k}`)}
              <b>{formatDuration(v)}</b>
            </div>
          ))}
        </div>
        {table("percentiles", pctCols, view.percentiles, pctName)}
      </section>

      <section className="report-section">
        <h3>
          {t("console.reports.csat")}
          <button
            type="button"
            onClick={() =>
              downloadCSV(
                file("csat"),
                [t("console.reports.day"), t("console.reports.ratings"), t("console.reports.csatAvg"), t("console.reports.csatGood")],
                view.csat.map((r) => [view.days[r.day], r.ratings, fixed(r.sum / r.ratings), fixed((100 * r.good) / r.ratings, 1)]),
              )
            }
          >
            {t("console.reports.export")}
          </button>
        </h3>
        <div className="figures">
          <div className="figure" data-testid="figure-csat">
            {t("console.reports.csatAvg")}
            <b>{ratings ? fixed(ratingSum / ratings) : "—"}</b>
          </div>
          <div className="figure">
            {t("console.reports.csatGood")}
            <b>{ratings ? `${fixed((100 * goodSum) / ratings, 1)} %` : "—"}</b>
          </div>
          <div className="figure">
            {t("console.reports.ratings")}
            <b>{ratings}</b>
          </div>
        </div>
        {view.csat.length > 0 && (
          <div className="figures">
            <Chart days={view.days} series={csat.avg} testId="chart-csat" format={oneDecimal} height={180} />
            <Chart days={view.days} series={csat.good} testId="chart-csat-good" format={percent} height={180} />
          </div>
        )}
      </section>

      <section className="report-section">
        <h3>
          {t("console.reports.load")}
          <button
            type="button"
            onClick={() => csvOf("operator-load", t("console.reports.byOperator"), loadCols, view.operators, (r) => name(r.key))}
          >
            {t("console.reports.export")}
          </button>
        </h3>
        {table("operator-load", loadCols, view.operators, (r) => name(r.key))}
      </section>

      <section className="report-section">
        <h3>
          {t("console.reports.tags")}
          <button type="button" onClick={() => csvOf("tags", t("console.reports.tag"), tagCols, view.tags, (r) => name(r.key))}>
            {t("console.reports.export")}
          </button>
        </h3>
        {view.tags.length === 0 ? (
          <p className="table-empty">{t("console.reports.noTags")}</p>
        ) : (
          table("tag-report", tagCols, view.tags, (r) => name(r.key))
        )}
      </section>
    </div>
  );
}
