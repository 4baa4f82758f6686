import { useTranslation } from "react-i18next";
import type { DialogRow } from "../api/types";
import { Avatar, ChannelBadge } from "../components/Avatar";
import { formatListTime } from "../components/format";
import { TagChip } from "../components/TagChip";

interface Props {
  row: DialogRow;
  selected: boolean;
  me: string;
  onSelect: (id: string) => void;
}

/** One dialog in the list. Every customer-supplied string is a text node. */
export function DialogRowView({ row, selected, me, onSelect }: Props) {
  const { t } = useTranslation();
  const assignee = row.assigneeId === me ? t("inbox.you") : row.assigneeName;
  return (
    <button
      type="button"
      className={`dialog-row${selected ? " selected" : ""}`}
      onClick={() => onSelect(row.id)}
      data-testid="dialog-row"
      data-dialog-id={row.id}
    >
      <Avatar name={row.clientName} url={row.clientAvatar} />
      <span className="dialog-main">
        <span className="dialog-top">
          <ChannelBadge kind={row.channelKind} title={row.channelName} />
          <span className="client-name">{row.clientName}</span>
          {row.draft && (
            <span className="draft-mark" title={t("inbox.draft")} aria-label={t("inbox.draft")} data-testid="draft-mark">
              ✎
            </span>
          )}
          <span className="dialog-time">{formatListTime(row.time)}</span>
        </span>
        <span className="dialog-bottom">
          {row.lastFromTeam && (
            <span className="from-team" title={t("inbox.lastFromTeam")}>
              ↩
            </span>
          )}
          <span className="last-text">{row.lastText}</span>
          {row.unread > 0 && (
            <span className="unread" title={t("inbox.unread", { count: row.unread })}>
              {row.unread}
            </span>
          )}
        </span>
        <span className="dialog-meta">
          <span className="line-name">{row.lineName}</span>
          <span className={`status status-${row.status}`}>{t(`status.${row.status}`, { defaultValue: row.status })}</span>
          {row.assigneeId && (
            <span className="assignee">
              <span
                className={`presence ${row.assigneeOnline ? "on" : "off"}`}
                title={row.assigneeOnline ? t("inbox.online") : t("inbox.offline")}
              />
              {assignee}
            </span>
          )}
          {row.tags.length > 0 && (
            <span className="row-tags">
              {row.tags.map((tg) => (
                <TagChip key={tg.id} tag={tg} />
              ))}
            </span>
          )}
        </span>
      </span>
    </button>
  );
}
