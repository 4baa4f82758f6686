import { useTranslation } from "react-i18next";
import type { QuoteView } from "../api/types";

interface Props {
  q: QuoteView;
  /** Words before the author ("Replying to"), if any. */
  label?: string;
  /** Makes the quote a button that shows the original. */
  onJump?: (id: string) => void;
}

/** A quoted message: its author and a line of its text, always as text. */
export function Quote({ q, label, onJump }: Props) {
  const { t } = useTranslation();
  const author = q.authorName || t("compose.quoteUnknownAuthor");
  const text = q.missing ? t("compose.quoteMissing") : q.deleted ? t("conversation.deleted") : q.text;
  const body = (
    <>
      <span className="quote-author">{label ? `${label} ${author}` : author}</span>
      <span className="quote-text">{text}</span>
    </>
  );
  if (onJump && !q.missing) {
    return (
      <button type="button" className="quote" onClick={() => onJump(q.id)} title={t("compose.showOriginal")} data-testid="message-quote">
        {body}
      </button>
    );
  }
  return (
    <div className="quote" data-testid={onJump ? "message-quote" : "composer-quote"}>
      {body}
    </div>
  );
}
