import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { conversation } from "../api/wails";
import type { ApiError, DialogView } from "../api/types";

const scale = [1, 2, 3, 4, 5];

/** Five buttons, the chosen one pressed; read-only without onPick. */
function Stars({ value, onPick, testid, label }: { value: number; onPick?: (n: number) => void; testid: string; label: string }) {
  const { t } = useTranslation();
  return (
    <span className="stars" role="group" aria-label={label} data-testid={testid} data-value={value}>
      {scale.map((n) => (
        <button
          type="button"
          key={n}
          className={n <= value ? "star on" : "star"}
          aria-pressed={n === value}
          aria-label={t("ratings.stars", { count: n })}
          disabled={!onPick}
          onClick={() => onPick?.(n)}
          data-testid={`${testid}-${n}`}
        >
          ★
        </button>
      ))}
    </span>
  );
}

interface Props {
  dialog: DialogView;
  onError: (e: ApiError) => void;
}

/**
 * The dialog's three ratings, as the seeds keep them: the customer's (asked
 * for at close), the operator's rating of the client, and the supervisor's
 * with a comment. Each is given here by whoever may.
 */
export function Ratings({ dialog, onError }: Props) {
  const { t } = useTranslation();
  const r = dialog.ratings;
  const id = dialog.row.id;
  const [pick, setPick] = useState(r.supervisor);
  const [comment, setComment] = useState(r.comment);
  // A rating that arrives from the server (or a colleague) resets the form.
  useEffect(() => {
    setPick(r.supervisor);
    setComment(r.comment);
  }, [id, r.supervisor, r.comment]);

  const closed = dialog.row.status === "closed";
  if (!closed && !r.mayRateDialog && !r.client && !r.operator && !r.supervisor) return null;
  const changed = pick !== r.supervisor || comment.trim() !== r.comment;
  return (
    <div className="ratings" data-testid="ratings">
      <div className="rating-row">
        <span className="rating-label">{t("ratings.client")}</span>
        {r.client ? (
          <Stars value={r.client} testid="rating-customer" label={t("ratings.client")} />
        ) : (
          <span className="muted" data-testid="rating-customer-none">
            {r.awaiting ? t("ratings.awaiting") : t("ratings.none")}
          </span>
        )}
      </div>
      {(r.mayRateClient || r.operator > 0) && (
        <div className="rating-row">
          <span className="rating-label">{t("ratings.operator")}</span>
          <Stars
            value={r.operator}
            testid="rate-client"
            label={t("ratings.operator")}
            onPick={r.mayRateClient ? (n) => conversation.rateClient(id, n).catch(onError) : undefined}
          />
        </div>
      )}
      {(r.mayRateDialog || r.supervisor > 0) && (
        <div className="rating-row">
          <span className="rating-label">{t("ratings.supervisor")}</span>
          <Stars value={pick} testid="rate-dialog" label={t("ratings.supervisor")} onPick={r.mayRateDialog ? setPick : undefined} />
          {r.mayRateDialog ? (
            <>
              <input
                className="rating-comment"
                value={comment}
                maxLength={2000}
                onChange={(e) => setComment(e.target.value)}
                placeholder={t("ratings.comment")}
                aria-label={t("ratings.comment")}
                data-testid="rate-dialog-comment"
              />
              <button
                type="button"
                disabled={!pick || !changed}
                onClick={() => conversation.rateDialog(id, pick, comment).catch(onError)}
                data-testid="rate-dialog-save"
              >
                {t("ratings.save")}
              </button>
            </>
          ) : (
            r.comment && <span className="rating-comment-text">{r.comment}</span>
          )}
        </div>
      )}
    </div>
  );
}
