import { Fragment } from "react";
import { useTranslation } from "react-i18next";
import type { EventView, MessageView, TimelineItem } from "../api/types";
import { formatClock, formatDay } from "../components/format";

function at(it: TimelineItem): number {
  return it.message?.at ?? it.event?.at ?? 0;
}

function EventLine({ ev }: { ev: EventView }) {
  const { t } = useTranslation();
  const actor = ev.actorName || t("event.system");
  const text = t(`event.${ev.type}`, { actor, from: ev.from, to: ev.to, type: ev.type, defaultValue: t("event.other", { actor, type: ev.type }) });
  return (
    <div className="event-line" data-testid="event-line">
      <span>{text}</span>
      <time>{formatClock(ev.at)}</time>
    </div>
  );
}

function MessageBubble({ m }: { m: MessageView }) {
  const { t } = useTranslation();
  const label = m.kind === "comment" ? t("conversation.comment") : m.kind === "note" ? t("conversation.note") : "";
  return (
    <div className={`message message-${m.kind}`} data-testid="message" data-message-id={m.id}>
      {(m.authorName || label) && (
        <div className="message-author">
          {m.authorName}
          {label && <span className="message-label"> · {label}</span>}
        </div>
      )}
      {/* Text only: customer text never becomes markup. */}
      <div className="message-text">{m.text}</div>
      <div className="message-meta">
        <time>{formatClock(m.at)}</time>
        {m.kind === "outbound" && m.delivery && (
          <span className={`delivery delivery-${m.delivery}`} title={m.failReason}>
            {t(`delivery.${m.delivery}`, { defaultValue: m.delivery })}
          </span>
        )}
      </div>
    </div>
  );
}

/** The conversation, oldest first, with a separator at each new day. */
export function Timeline({ items }: { items: TimelineItem[] }) {
  let lastDay = "";
  return (
    <>
      {items.map((it) => {
        const day = new Date(at(it)).toDateString();
        const sep = day !== lastDay;
        lastDay = day;
        const key = it.message ? `m-${it.message.id}` : `e-${it.event?.id}`;
        return (
          <Fragment key={key}>
            {sep && <div className="day-separator">{formatDay(at(it))}</div>}
            {it.message ? <MessageBubble m={it.message} /> : it.event ? <EventLine ev={it.event} /> : null}
          </Fragment>
        );
      })}
    </>
  );
}
