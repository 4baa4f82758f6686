import { useTranslation } from "react-i18next";
import { useHotkey } from "../hotkeys/hotkeys";

interface Props {
  title: string;
  message: string;
  confirm: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before an action that cannot be undone; Cancel has the focus, Esc cancels. */
export function ConfirmDialog({ title, message, confirm, onConfirm, onCancel }: Props) {
  const { t } = useTranslation();
  useHotkey("close", onCancel);
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onCancel()}>
      <div className="sheet confirm-dialog" role="alertdialog" aria-modal="true" aria-label={title} data-testid="confirm-dialog">
        <h3>{title}</h3>
        <p>{message}</p>
        <div className="sheet-actions">
          <button type="button" onClick={onCancel} autoFocus data-testid="confirm-cancel">
            {t("inbox.cancel")}
          </button>
          <button type="button" className="danger" onClick={onConfirm} data-testid="confirm-ok">
            {confirm}
          </button>
        </div>
      </div>
    </div>
  );
}
