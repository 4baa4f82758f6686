import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { inbox } from "../api/wails";
import type { LineView, Tab } from "../api/types";
import { VirtualList } from "../components/VirtualList";
import { formatNumber } from "../components/format";
import { DialogRowView } from "./DialogRowView";
import { useDialogPages } from "./useDialogPages";

const rowHeight = 76;

interface Props {
  me: string;
  /** Bumped on every inbox:changed event. */
  version: number;
  selected: string;
  onSelect: (id: string) => void;
}

export function InboxPane({ me, version, selected, onSelect }: Props) {
  const { t } = useTranslation();
  const [tabs, setTabs] = useState<Tab[]>(["unassigned", "mine", "snoozed", "closed"]);
  const [tab, setTab] = useState<Tab>("unassigned");
  const [counts, setCounts] = useState<Partial<Record<Tab, number>>>({});
  const [lines, setLines] = useState<LineView[]>([]);
  const [lineId, setLineId] = useState("");
  const [query, setQuery] = useState("");
  const { total, rowAt, onRange } = useDialogPages(tab, lineId, query, version);

  useEffect(() => {
    inbox.counts().then(setCounts).catch(() => undefined);
    inbox.tabs().then(setTabs).catch(() => undefined);
    inbox.lines().then(setLines).catch(() => undefined);
  }, [version]);

  const renderRow = useCallback(
    (i: number) => {
      const row = rowAt(i);
      if (!row) return <div className="dialog-row placeholder">{t("inbox.loading")}</div>;
      return <DialogRowView row={row} me={me} selected={row.id === selected} onSelect={onSelect} />;
    },
    [rowAt, me, selected, onSelect, t],
  );

  return (
    <nav className="inbox">
      <div className="tabs" role="tablist">
        {tabs.map((tb) => (
          <button key={tb} role="tab" aria-selected={tb === tab} className={tb === tab ? "active" : ""} onClick={() => setTab(tb)} data-testid={`tab-${tb}`}>
            <span>{t(`tabs.${tb}`)}</span>
            <span className="count" data-testid={`count-${tb}`}>
              {formatNumber(counts[tb] ?? 0)}
            </span>
          </button>
        ))}
      </div>
      <div className="filters">
        <select value={lineId} onChange={(e) => setLineId(e.target.value)} aria-label={t("inbox.allLines")}>
          <option value="">{t("inbox.allLines")}</option>
          {lines.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
        <input type="search" placeholder={t("inbox.filter")} value={query} onChange={(e) => setQuery(e.target.value)} />
      </div>
      {total === 0 ? (
        <p className="empty">{t("inbox.empty")}</p>
      ) : (
        <VirtualList count={total} rowHeight={rowHeight} onRange={onRange} renderRow={renderRow} className="dialog-list" />
      )}
    </nav>
  );
}
