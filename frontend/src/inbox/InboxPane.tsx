import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { inbox, outgoing } from "../api/wails";
import type { ApiError, ChannelChoice, Counters, DialogFilter, LineView, Tab } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { VirtualList } from "../components/VirtualList";
import { useHotkey } from "../hotkeys/hotkeys";
import { formatNumber } from "../components/format";
import { DialogRowView } from "./DialogRowView";
import { useDialogPages } from "./useDialogPages";
import { ImportantList } from "../clients/ImportantList";
import { PhoneDialogForm } from "../outgoing/PhoneDialogForm";
import { FilterBar } from "./FilterBar";
import { cleanFilter } from "./filter";

const rowHeight = 76;

interface Props {
  me: string;
  /** Bumped on every inbox:changed event. */
  version: number;
  /** The counters by role (App reads them once for the title and the tabs). */
  counters: Counters | null;
  selected: string;
  onSelect: (id: string) => void;
  onError: (e: ApiError) => void;
}

export function InboxPane({ me, version, counters, selected, onSelect, onError }: Props) {
  const { t } = useTranslation();
  const [tabs, setTabs] = useState<Tab[]>(["unassigned", "mine", "snoozed", "closed"]);
  const [tab, setTab] = useState<Tab>("unassigned");
  const [lines, setLines] = useState<LineView[]>([]);
  // The line picker and the filter bar narrow the list together.
  const [filter, setFilter] = useState<DialogFilter>({});
  const [query, setQuery] = useState("");
  const { total, rowAt, onRange, indexOf, fetchRow } = useDialogPages(tab, filter, query, version);
  const [showIndex, setShowIndex] = useState<number | undefined>(undefined);
  const [confirming, setConfirming] = useState(false);

  // Ctrl+Shift+Up/Down: the previous or next dialog of the list on screen
  // (from a dialog not in it, the first).
  const step = (by: number) => {
    if (total === 0) return;
    const cur = indexOf(selected);
    const next = cur < 0 ? 0 : Math.min(total - 1, Math.max(0, cur + by));
    if (next === cur) return;
    void fetchRow(next).then((r) => {
      if (!r) return;
      onSelect(r.id);
      setShowIndex(next);
    });
  };
  useHotkey("prevDialog", () => step(-1));
  useHotkey("nextDialog", () => step(1));

  const markAll = () => {
    setConfirming(false);
    inbox.markAllRead(tab).catch(onError);
  };
  const [phoneChannels, setPhoneChannels] = useState<ChannelChoice[]>([]);
  const [byPhone, setByPhone] = useState(false);

  useEffect(() => {
    inbox.tabs().then(setTabs).catch(() => undefined);
    inbox.lines().then(setLines).catch(() => undefined);
    outgoing.phoneChannels().then(setPhoneChannels).catch(() => undefined);
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
              {formatNumber(counters?.tabs[tb] ?? 0)}
            </span>
            {(counters?.tabUnread[tb] ?? 0) > 0 && (
              <span className="unread" data-testid={`unread-${tb}`} title={t("inbox.unreadDialogs", { count: counters?.tabUnread[tb] })}>
                {formatNumber(counters?.tabUnread[tb] ?? 0)}
              </span>
            )}
          </button>
        ))}
      </div>
      <div className="filters">
        <select
          value={filter.lineId ?? ""}
          onChange={(e) => setFilter((f) => cleanFilter({ ...f, lineId: e.target.value }))}
          aria-label={t("inbox.allLines")}
          data-testid="filter-line"
        >
          <option value="">{t("inbox.allLines")}</option>
          {lines.map((l) => {
            const badge = counters?.lines.find((c) => c.id === l.id)?.badge ?? 0;
            return (
              <option key={l.id} value={l.id} data-testid="line-option">
                {badge > 0 ? t("inbox.lineCount", { name: l.name, count: badge }) : l.name}
              </option>
            );
          })}
        </select>
        <input type="search" placeholder={t("inbox.filter")} value={query} onChange={(e) => setQuery(e.target.value)} />
        <button type="button" onClick={() => setConfirming(true)} data-testid="mark-all-read">
          {t("inbox.markAllRead")}
        </button>
        {phoneChannels.length > 0 && (
          <span className="popover-anchor">
            <button type="button" onClick={() => setByPhone((b) => !b)} data-testid="outgoing-phone">
              {t("outgoing.phoneButton")}
            </button>
            {byPhone && (
              <PhoneDialogForm
                channels={phoneChannels}
                onOpen={(id) => {
                  setByPhone(false);
                  setTab("mine");
                  onSelect(id);
                }}
                onCancel={() => setByPhone(false)}
                onError={onError}
              />
            )}
          </span>
        )}
      </div>
      {tab !== "important" && <FilterBar me={me} filter={filter} onChange={setFilter} version={version} />}
      {confirming && (
        <ConfirmDialog
          title={t("inbox.markAllTitle")}
          message={t("inbox.markAllConfirm", { tab: t(`tabs.${tab}`) })}
          confirm={t("inbox.markAllSubmit")}
          onConfirm={markAll}
          onCancel={() => setConfirming(false)}
        />
      )}
      {tab === "important" ? (
        <ImportantList version={version} selected={selected} onSelect={onSelect} />
      ) : total === 0 ? (
        <p className="empty">{t("inbox.empty")}</p>
      ) : (
        <VirtualList count={total} rowHeight={rowHeight} onRange={onRange} renderRow={renderRow} className="dialog-list" showIndex={showIndex} />
      )}
    </nav>
  );
}
