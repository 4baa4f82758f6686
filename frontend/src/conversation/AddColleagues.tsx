import { useState } from "react";
import { useTranslation } from "react-i18next";
import { team } from "../api/wails";
import type { ApiError, Colleague } from "../api/types";

interface Props {
  dialogId: string;
  colleagues: Colleague[];
  onDone: () => void;
  onError: (e: ApiError) => void;
}

/**
 * "Add a colleague to the dialog", as the seeds describe it: pick one or
 * more colleagues, and optionally say why in a comment they are alerted
 * by. Either way the dialog becomes theirs to see.
 */
export function AddColleagues({ dialogId, colleagues, onDone, onError }: Props) {
  const { t } = useTranslation();
  const [picked, setPicked] = useState<string[]>([]);
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);

  const toggle = (id: string) => setPicked((cur) => (cur.includes(id) ? cur.filter((x) => x !== id) : [...cur, id]));

  async function submit() {
    setBusy(true);
    try {
      await team.addColleagues(dialogId, picked, comment);
      onDone();
    } catch (err) {
      onError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="add-colleagues" role="dialog" aria-label={t("conversation.addColleagueHeading")} data-testid="add-colleagues">
      <strong>{t("conversation.addColleagueHeading")}</strong>
      <ul>
        {colleagues.map((c) => (
          <li key={c.id}>
            <label>
              <input type="checkbox" checked={picked.includes(c.id)} onChange={() => toggle(c.id)} data-testid="add-colleague-option" />
              <span className={`presence ${c.online ? "on" : "off"}`} />
              {c.name}
            </label>
          </li>
        ))}
      </ul>
      <textarea
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        placeholder={t("conversation.addColleagueComment")}
        rows={2}
        data-testid="add-colleague-comment"
      />
      <div className="composer-actions">
        <button type="button" onClick={onDone}>
          {t("conversation.cancel")}
        </button>
        <button type="button" disabled={busy || picked.length === 0} onClick={() => void submit()} data-testid="add-colleague-submit">
          {t("conversation.addColleagueSubmit")}
        </button>
      </div>
    </div>
  );
}
