import { useTranslation } from "react-i18next";
import type { SessionState, SyncProgress } from "../api/types";
import { errorText } from "../i18n";

/** Says when the window is not live; renders nothing while online. */
export function ConnectionBanner({ state, progress }: { state: SessionState; progress: SyncProgress | null }) {
  const { t } = useTranslation();
  let text = "";
  let bar: number | null = null;
  switch (state.status) {
    case "connecting":
      text = t("session.connecting");
      break;
    case "syncing": {
      const percent = progress && progress.total > 0 ? Math.floor((progress.done / progress.total) * 100) : 0;
      text = t("session.syncing", { percent });
      bar = percent;
      break;
    }
    case "reconnecting":
      text = t("session.reconnecting");
      break;
    case "stopped":
      text = `${t("session.stopped")} ${state.errorCode ? errorText({ code: state.errorCode, message: state.errorMessage }) : ""}`;
      break;
    default:
      return null;
  }
  return (
    <div className={`banner banner-${state.status}`} role="status" data-testid="connection-banner">
      <span>{text}</span>
      {bar !== null && (
        <progress max={100} value={bar}>
          {bar}%
        </progress>
      )}
    </div>
  );
}
