import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { clients } from "../api/wails";
import type { ImportantRow } from "../api/types";
import { Avatar } from "../components/Avatar";

interface Props {
  version: number;
  selected: string;
  onSelect: (dialogId: string) => void;
}

/** The Important tab: clients with my tasks due today or overdue; a row opens the client's latest dialog. */
export function ImportantList({ version, selected, onSelect }: Props) {
  const { t } = useTranslation();
  const [rows, setRows] = useState<ImportantRow[]>([]);

  useEffect(() => {
    let live = true;
    clients
      .important()
      .then((r) => live && setRows(r))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [version]);

  if (rows.length === 0) return <p className="empty">{t("inbox.noImportant")}</p>;
  return (
    <div className="dialog-list important-list">
      {rows.map((r) => (
        <button
          key={r.clientId}
          type="button"
          className={`dialog-row${r.dialogId && r.dialogId === selected ? " selected" : ""}`}
          disabled={!r.dialogId}
          onClick={() => r.dialogId && onSelect(r.dialogId)}
          data-testid="important-row"
          data-client-id={r.clientId}
        >
          <Avatar name={r.name} url={r.avatarUrl} />
          <span className="dialog-main">
            <span className="dialog-top">
              <span className="client-name">{r.name}</span>
              <span className={`dialog-time${r.overdue ? " overdue" : ""}`}>{r.overdue ? t("inbox.overdue") : t("inbox.dueToday")}</span>
            </span>
            <span className="dialog-bottom">
              <span className="last-text">{r.firstTask}</span>
              {r.tasks > 1 && <span className="unread" title={t("inbox.tasksDue", { count: r.tasks })}>{r.tasks}</span>}
            </span>
          </span>
        </button>
      ))}
    </div>
  );
}
