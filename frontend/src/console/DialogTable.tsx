import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { NamedSelect } from "./NamedSelect";
import { useTranslation } from "react-i18next";
import { supervisor, type BulkRefusal, type BulkRequest, type TableOptions, type TableRow, type TableSettings } from "../api/console";
import type { ApiError } from "../api/types";
import { VirtualList } from "../components/VirtualList";
import { UnifiedHistory } from "../clients/UnifiedHistory";
import i18n, { errorText, knowsError } from "../i18n";
import { BulkBar } from "./BulkBar";
import { ColumnFilterCell, durationColumns as durations, statuses, timeColumns as times, toColumnFilters, type FilterValue } from "./ColumnFilterCell";
import { formatDuration, formatDateTime, dayStart, downloadCSV } from "./format";
import { useTablePages, type TableQuery } from "./useTablePages";

const rowHeight = 34;
const openStatuses = new Set(["unassigned", "in_progress", "snoozed"]);
/** The chooser column in front and the row actions at the end, in px. */
const pickWidth = 34;
const actionsWidth = 230;

/** Column widths in px; the rest get 140. */
const widths: Record<string, number> = { number: 80, type: 100, unread: 80, status: 120, clientRating: 90, supervisorRating: 90, operatorRating: 90 };
const widthOf = (c: string) => widths[c] ?? 150;

/** A refusal of one dialog in words: the app's own by code, else the rules' words. */
function refusalText(r: BulkRefusal): string {
  if (knowsError(r.code)) return errorText(r);
  const key = `console.bulk.why.${r.code.replace(/\./g, "_")}`;
  return i18n.exists(key) ? i18n.t(key, { operator: "", line: "", ...r.args }) : r.message || r.code;
}

/** How many refusals a bulk result names before "and N more". */
const namedRefusals = 5;

interface Filters {
  lineId: string;
  operatorId: string;
  status: string;
  channelId: string;
  from: string; // yyyy-mm-dd
  to: string;
  query: string;
}

const noFilters: Filters = { lineId: "", operatorId: "", status: "", channelId: "", from: "", to: "", query: "" };

interface Props {
  version: number;
  onOpen: (dialogId: string) => void;
  onError: (e: ApiError) => void;
}

interface BulkOutcome {
  text: string;
  failed: boolean;
}

/**
 * Every dialog the replica holds (what the supervisor may see) as a table:
 * the supervisor picks the columns, drags headings to reorder them and
 * clicks one to sort; the choice is kept by the app across restarts.
 * Filters narrow on line, operator, status, channel, creation date and
 * client/number. Only the rows in view are rendered.
 */
export function DialogTable({ version, onOpen, onError }: Props) {
  const { t } = useTranslation();
  const [settings, setSettings] = useState<TableSettings | null>(null);
  const [options, setOptions] = useState<TableOptions | null>(null);
  const [filters, setFilters] = useState<Filters>(noFilters);
  const [typed, setTyped] = useState("");
  const [chooser, setChooser] = useState(false);
  const dragged = useRef("");
  const [colFilters, setColFilters] = useState<Record<string, FilterValue>>({});
  const [appliedCols, setAppliedCols] = useState<Record<string, FilterValue>>({});
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const anchor = useRef(-1);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<BulkOutcome | null>(null);
  const [history, setHistory] = useState<{ clientId: string; clientName: string } | null>(null);

  // Typed column filters wait for a pause in typing too.
  useEffect(() => {
    const id = setTimeout(() => setAppliedCols(colFilters), 250);
    return () => clearTimeout(id);
  }, [colFilters]);

  useEffect(() => {
    supervisor.settings().then(setSettings).catch(onError);
    supervisor.options().then(setOptions).catch(onError);
  }, [onError, version]);

  // The search box waits for a pause in typing.
  useEffect(() => {
    const id = setTimeout(() => setFilters((f) => (f.query === typed ? f : { ...f, query: typed })), 200);
    return () => clearTimeout(id);
  }, [typed]);

  const query: TableQuery | null = useMemo(() => {
    if (!settings || !options) return null;
    const to = dayStart(filters.to);
    return {
      lineId: filters.lineId,
      operatorId: filters.operatorId,
      status: filters.status,
      channelId: filters.channelId,
      createdFrom: dayStart(filters.from),
      createdTo: to ? to + 24 * 3600 * 1000 : 0,
      query: filters.query,
      filters: toColumnFilters(appliedCols, options.filters),
      sort: settings.sort,
      desc: settings.desc,
    };
  }, [filters, settings, options, appliedCols]);
  const { total, loaded, rowAt, onRange } = useTablePages(query, version, onError);

  // A new filter or sort is a new view: the choice starts over.
  const queryKey = JSON.stringify(query && { ...query, sort: "", desc: false });
  useEffect(() => {
    setSelected(new Set());
    anchor.current = -1;
  }, [queryKey]);

  // One action on many dialogs (or one, from a row): the rules decide per
  // dialog; the refused stay chosen and are named in words.
  const run = useCallback(
    (action: BulkRequest["action"], ids: string[], target: { operatorId?: string; lineId?: string }) => {
      if (ids.length === 0) return;
      setBusy(true);
      setOutcome(null);
      supervisor
        .bulk({ action, dialogIds: ids, ...target })
        .then((r) => {
          const total = ids.length;
          if (r.refused.length === 0) {
            setOutcome({ text: i18n.t(`console.bulk.done.${action}`, { count: total }), failed: false });
          } else {
            const named = r.refused.slice(0, namedRefusals).map((x) => `${x.number ? `#${x.number}` : x.dialogId}: ${refusalText(x)}`);
            const more = r.refused.length - named.length;
            const text =
              `${i18n.t(`console.bulk.failed.${action}`, { count: r.refused.length, total })}: ${named.join("; ")}` +
              (more > 0 ? ` ${i18n.t("console.bulk.andMore", { count: more })}` : "");
            setOutcome({ text, failed: true });
          }
          setSelected(new Set(r.refused.map((x) => x.dialogId).filter((id) => ids.includes(id))));
        })
        .catch(onError)
        .finally(() => setBusy(false));
    },
    [onError],
  );

  // Clicks and drops may come faster than React renders: each change starts
  // from the latest settings, and saves go out one after another, in order.
  const latest = useRef<TableSettings | null>(null);
  latest.current = settings;
  const saving = useRef<Promise<unknown>>(Promise.resolve());
  const save = useCallback(
    (change: (s: TableSettings) => TableSettings) => {
      if (!latest.current) return;
      const next = change(latest.current);
      latest.current = next;
      setSettings(next);
      saving.current = saving.current.then(() => supervisor.saveSettings(next).catch(onError));
    },
    [onError],
  );

  if (!settings || !options) return <div className="console-loading">{t("inbox.loading")}</div>;
  const columns = settings.columns;
  const template = [`${pickWidth}px`, ...columns.map((c) => `${widthOf(c)}px`), `${actionsWidth}px`].join(" ");
  const width = columns.reduce((w, c) => w + widthOf(c), pickWidth + actionsWidth);

  // Click chooses a row; shift-click chooses every row from the last click.
  const pick = (i: number, id: string, shift: boolean) => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (shift && anchor.current >= 0) {
        const on = !prev.has(id) || prev.has(rowAt(anchor.current)?.id ?? "");
        for (let k = Math.min(anchor.current, i); k <= Math.max(anchor.current, i); k++) {
          const r = rowAt(k);
          if (r) {
            if (on) next.add(r.id);
            else next.delete(r.id);
          }
        }
      } else if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
    anchor.current = i;
  };
  const pickAll = () => {
    if (selected.size > 0 || !query) {
      setSelected(new Set());
      return;
    }
    supervisor
      .selectOpen(query)
      .then((ids) => setSelected(new Set(ids)))
      .catch(onError);
  };

  const sortBy = (c: string) => {
    if (!options.sortable.includes(c)) return;
    save((s) => ({ ...s, sort: c, desc: s.sort === c ? !s.desc : false }));
  };
  const move = (from: string, to: string) => {
    if (!from || from === to) return;
    save((s) => {
      const next = s.columns.filter((c) => c !== from);
      next.splice(next.indexOf(to) + (s.columns.indexOf(from) < s.columns.indexOf(to) ? 1 : 0), 0, from);
      return { ...s, columns: next };
    });
  };
  const toggle = (c: string) => {
    save((s) => {
      const next = s.columns.includes(c) ? s.columns.filter((x) => x !== c) : [...s.columns, c];
      return next.length > 0 ? { ...s, columns: next } : s;
    });
  };
  const setFilter = (k: keyof Filters) => (v: string) => setFilters((f) => ({ ...f, [k]: v }));
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setFilter(k)(e.target.value);

  const cell = (r: TableRow, c: string): string => {
    if (times.has(c)) return formatDateTime(r[c as keyof TableRow] as number);
    if (durations.has(c)) return formatDuration(r[c as keyof TableRow] as number);
    switch (c) {
      case "number":
        return `#${r.number}`;
      case "client":
        return r.clientName;
      case "line":
        return r.lineName;
      case "channel":
        return r.channelName;
      case "operator":
        return r.operatorName;
      case "status":
        return t(`status.${r.status}`);
      case "detailed":
        return r.detailed ? t(`console.detailed.${r.detailed}`) : "";
      case "type":
        return r.outgoing ? t("console.table.outgoing") : t("console.table.incoming");
      case "tags":
        return r.tags.join(", ");
      case "clientRating":
      case "supervisorRating":
      case "operatorRating":
        return r[c] ? String(r[c]) : "";
      case "unread":
        return String(r.unread);
      case "supervisorComment":
        return r.supervisorComment;
    }
    return "";
  };

  // CSV of the rows loaded in view order (the whole table when it is small).
  const exportCSV = () => {
    const rows: string[][] = [];
    for (let i = 0; i < total; i++) {
      const r = rowAt(i);
      if (r) rows.push(columns.map((c) => cell(r, c)));
    }
    downloadCSV("dialogs.csv", columns.map((c) => t(`console.columns.${c}`)), rows);
  };

  return (
    <div className="dialog-table" data-testid="dialog-table">
      <div className="table-filters">
        <input type="search" placeholder={t("console.table.search")} value={typed} onChange={(e) => setTyped(e.target.value)} data-testid="table-search" />
        <NamedSelect value={filters.lineId} onChange={setFilter("lineId")} items={options.lines} empty={t("console.table.allLines")} label={t("console.columns.line")} testid="filter-line" />
        <NamedSelect
          value={filters.operatorId}
          onChange={setFilter("operatorId")}
          items={options.operators}
          empty={t("console.table.allOperators")}
          label={t("console.columns.operator")}
          testid="filter-operator"
          extra={<option value="-">{t("console.table.nobody")}</option>}
        />
        <select value={filters.status} onChange={set("status")} data-testid="filter-status" aria-label={t("console.columns.status")}>
          <option value="">{t("console.table.allStatuses")}</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {t(`status.${s}`)}
            </option>
          ))}
        </select>
        <NamedSelect value={filters.channelId} onChange={setFilter("channelId")} items={options.channels} empty={t("console.table.allChannels")} label={t("console.columns.channel")} testid="filter-channel" />
        <label>
          {t("console.table.from")} <input type="date" value={filters.from} onChange={set("from")} data-testid="filter-from" />
        </label>
        <label>
          {t("console.table.to")} <input type="date" value={filters.to} onChange={set("to")} data-testid="filter-to" />
        </label>
        <span className="table-total" data-testid="table-total">
          {t("console.table.total", { count: total })}
        </span>
        <button type="button" onClick={() => setChooser((v) => !v)} data-testid="columns-button">
          {t("console.table.columns")}
        </button>
        <button type="button" onClick={exportCSV}>
          {t("console.reports.export")}
        </button>
      </div>
      {selected.size > 0 && <BulkBar count={selected.size} options={options} busy={busy} onRun={(a, target) => run(a, [...selected], target)} onClear={() => setSelected(new Set())} />}
      {outcome && (
        <div className={`bulk-result${outcome.failed ? " failed" : ""}`} role="status" data-testid="bulk-result">
          {outcome.text}
          <button type="button" className="link" onClick={() => setOutcome(null)} aria-label={t("console.bulk.dismiss")}>
            ×
          </button>
        </div>
      )}
      {history && (
        <UnifiedHistory
          clientId={history.clientId}
          clientName={history.clientName}
          version={version}
          onOpenDialog={(id) => {
            setHistory(null);
            onOpen(id);
          }}
          onClose={() => setHistory(null)}
        />
      )}
      {chooser && (
        <div className="column-chooser" data-testid="column-chooser">
          {options.columns.map((c) => (
            <label key={c}>
              <input type="checkbox" checked={columns.includes(c)} onChange={() => toggle(c)} data-testid={`choose-${c}`} />
              {t(`console.columns.${c}`)}
            </label>
          ))}
        </div>
      )}
      <div className="table-scroll">
        <div className="table-head" role="row" style={{ gridTemplateColumns: template, width }} title={t("console.table.dragHint")}>
          <div className="th pick">
            <input type="checkbox" checked={selected.size > 0} onChange={pickAll} aria-label={t("console.bulk.selectAll")} title={t("console.bulk.selectAll")} data-testid="select-all" />
          </div>
          {columns.map((c) => (
            <div
              key={c}
              role="columnheader"
              className={`th${options.sortable.includes(c) ? " sortable" : ""}`}
              data-testid={`col-${c}`}
              aria-sort={settings.sort === c ? (settings.desc ? "descending" : "ascending") : "none"}
              draggable
              onDragStart={(e) => {
                dragged.current = c;
                e.dataTransfer.setData("text/plain", c);
                e.dataTransfer.effectAllowed = "move";
              }}
              onDragOver={(e) => e.preventDefault()}
              onDrop={(e) => {
                e.preventDefault();
                move(dragged.current || e.dataTransfer.getData("text/plain"), c);
                dragged.current = "";
              }}
              onClick={() => sortBy(c)}
            >
              {t(`console.columns.${c}`)}
              {settings.sort === c && <span className="sort-mark">{settings.desc ? " ▼" : " ▲"}</span>}
            </div>
          ))}
          <div className="th actions">{t("console.bulk.actions")}</div>
        </div>
        <div className="table-filter-row" style={{ gridTemplateColumns: template, width }} data-testid="column-filters">
          <div />
          {columns.map((c) => (
            <div key={c} className="tf">
              <ColumnFilterCell
                column={c}
                kind={options.filters[c]}
                options={options}
                value={colFilters[c] ?? {}}
                onChange={(v) => setColFilters((f) => ({ ...f, [c]: v }))}
              />
            </div>
          ))}
          <div />
        </div>
        {loaded && total === 0 ? (
          <div className="table-empty">{t("console.table.empty")}</div>
        ) : (
          <VirtualList
            className="table-body"
            count={total}
            rowHeight={rowHeight}
            onRange={onRange}
            renderRow={(i) => {
              const r = rowAt(i);
              if (!r) return <div className="tr placeholder" style={{ width }} />;
              const active = openStatuses.has(r.status);
              const one = (a: BulkRequest["action"]) => (e: MouseEvent) => {
                e.stopPropagation();
                run(a, [r.id], {});
              };
              return (
                <div
                  className={`tr${selected.has(r.id) ? " selected" : ""}`}
                  role="row"
                  style={{ gridTemplateColumns: template, width }}
                  data-testid="table-row"
                  data-dialog-id={r.id}
                  onClick={() => onOpen(r.id)}
                  onKeyDown={(e) => e.key === "Enter" && onOpen(r.id)}
                  tabIndex={0}
                >
                  <div className="td pick" onClick={(e) => e.stopPropagation()}>
                    <input
                      type="checkbox"
                      checked={selected.has(r.id)}
                      onChange={() => undefined}
                      onClick={(e) => pick(i, r.id, e.shiftKey)}
                      aria-label={t("console.bulk.choose", { number: r.number })}
                      data-testid="row-pick"
                    />
                  </div>
                  {columns.map((c) => (
                    <div key={c} className="td" data-col={c}>
                      {cell(r, c)}
                    </div>
                  ))}
                  <div className="td row-actions">
                    <button type="button" className="link" onClick={(e) => (e.stopPropagation(), onOpen(r.id))} data-testid="row-open">
                      {t("console.bulk.open")}
                    </button>
                    <button
                      type="button"
                      className="link"
                      onClick={(e) => (e.stopPropagation(), setHistory({ clientId: r.clientId, clientName: r.clientName }))}
                      data-testid="row-history"
                    >
                      {t("console.bulk.history")}
                    </button>
                    {active && (
                      <button type="button" className="link" disabled={busy} onClick={one("close")} data-testid="row-close">
                        {t("console.bulk.close")}
                      </button>
                    )}
                    {active && (
                      <button type="button" className="link danger" disabled={busy} onClick={one("spam")} data-testid="row-spam">
                        {t("console.bulk.forceClose")}
                      </button>
                    )}
                  </div>
                </div>
              );
            }}
          />
        )}
      </div>
    </div>
  );
}
