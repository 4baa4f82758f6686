import { Fragment, useState } from "react";
import { useTranslation } from "react-i18next";
import type { ApiError, EventView, MessageView, QuoteView, TextPart, TimelineItem } from "../api/types";
import { formatClock, formatDay } from "../components/format";
import { Highlighted } from "../components/Highlighted";
import { MessageActions } from "./MessageActions";
import { Quote } from "./Quote";
import { MessageFiles } from "./MessageFiles";
import { TagChip } from "../components/TagChip";

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

/** The message a search hit opened the conversation at, with the matched words. */
export interface TimelineFocus {
  messageId: string;
  parts: TextPart[];
}

interface Selection {
  /** The ids of the messages selected (to tag them). */
  selected?: string[];
  onToggle?: (id: string) => void;
}

interface BubbleProps {
  m: MessageView;
  /** The matched words when a search hit opened the conversation at this message. */
  marked?: TextPart[];
  /** The dialog's client, named in a quote of the client's message. */
  clientName: string;
  flash: boolean;
  onReply: (q: QuoteView) => void;
  /** Set on a channel that sends templates: a failed reply offers one. */
  onSendTemplate?: () => void;
  onJump: (id: string) => void;
  onError: (e: ApiError) => void;
}

function MessageBubble({ m, marked, clientName, flash, onReply, onSendTemplate, onJump, onError, selected, onToggle }: BubbleProps & Selection) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<string | null>(null);
  const label = m.kind === "comment" ? t("conversation.comment") : m.kind === "note" ? t("conversation.note") : "";
  const isPicked = !!selected?.includes(m.id);
  const reply = () =>
    onReply({ id: m.id, kind: m.kind, authorName: m.kind === "inbound" ? clientName : m.authorName, text: m.text, deleted: false, missing: false });
  return (
    <div
      className={`message message-${m.kind}${m.deleted ? " message-deleted" : ""}${flash ? " flash" : ""}${marked ? " message-focus" : ""}${isPicked ? " picked" : ""}`}
      data-testid="message"
      data-message-id={m.id}
      data-kind={m.kind}
      data-focus={marked ? "true" : undefined}
    >
      {onToggle && m.kind !== "system" && (
        <input
          type="checkbox"
          className="message-select"
          checked={isPicked}
          onChange={() => onToggle(m.id)}
          aria-label={t("tags.selectMessage")}
          title={t("tags.selectMessage")}
          data-testid="message-select"
        />
      )}
      {(m.authorName || label) && (
        <div className="message-author">
          {m.authorName}
          {label && <span className="message-label"> · {label}</span>}
        </div>
      )}
      {m.replyTo && !m.deleted && <Quote q={m.replyTo} onJump={onJump} />}
      {/* Text only: customer text never becomes markup. */}
      {editing === null && <div className="message-text">{m.deleted ? t("conversation.deleted") : marked ? <Highlighted parts={marked} /> : m.text}</div>}
      {!m.deleted && <MessageFiles list={m.attachments ?? []} onError={onError} />}
      {m.kind === "comment" && m.mentions.length > 0 && (
        <div className="message-mentions" data-testid="message-mentions">
          {t("conversation.mentioned", { names: m.mentions.join(", ") })}
        </div>
      )}
      {m.tags.length > 0 && (
        <div className="message-tags" data-testid="message-tags">
          {m.tags.map((tg) => (
            <TagChip key={tg.id} tag={tg} />
          ))}
        </div>
      )}
      <MessageActions m={m} onReply={reply} onError={onError} editing={editing} onEditing={setEditing} />
      <div className="message-meta">
        {m.edited && !m.deleted && (
          <span className="edited" data-testid="message-edited">
            {t("conversation.edited")}
          </span>
        )}
        {m.changeDelivery === "sending" && <span className="change-delivery">{t("conversation.changeSending")}</span>}
        {m.changeDelivery === "failed" && (
          <span className="change-delivery delivery-failed" title={m.changeFailReason} data-testid="message-change-failed">
            {t(m.deleted ? "conversation.deleteFailed" : "conversation.editFailed")}
          </span>
        )}
        <time>{formatClock(m.at)}</time>
        {m.kind === "outbound" && m.delivery && !m.deleted && (
          <span className={`delivery delivery-${m.delivery}`} title={m.failReason}>
            {t(`delivery.${m.delivery}`, { defaultValue: m.delivery })}
          </span>
        )}
        {m.kind === "outbound" && m.delivery === "failed" && !m.deleted && onSendTemplate && (
          <button type="button" className="link" onClick={onSendTemplate} title={m.failReason} data-testid="message-send-template">
            {t("channelTemplate.instead")}
          </button>
        )}
      </div>
    </div>
  );
}

interface Props {
  items: TimelineItem[];
  focus?: TimelineFocus | null;
  clientName: string;
  /** The message just jumped to, highlighted for a moment. */
  flash: string;
  onReply: (q: QuoteView) => void;
  /** Set on a channel that sends templates: a failed reply offers one. */
  onSendTemplate?: () => void;
  onJump: (id: string) => void;
  onError: (e: ApiError) => void;
}

/** The conversation, oldest first, with a separator at each new day. */
export function Timeline({ items, focus, clientName, flash, onReply, onSendTemplate, onJump, onError, selected, onToggle }: Props & Selection) {
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
            {it.message ? (
              <MessageBubble
                m={it.message}
                marked={focus?.messageId === it.message.id ? focus.parts : undefined}
                clientName={clientName}
                flash={flash === it.message.id}
                onReply={onReply}
                onSendTemplate={onSendTemplate}
                onJump={onJump}
                onError={onError}
                selected={selected}
                onToggle={onToggle}
              />
            ) : it.event ? (
              <EventLine ev={it.event} />
            ) : null}
          </Fragment>
        );
      })}
    </>
  );
}
