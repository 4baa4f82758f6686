import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { ApiError, HostingView } from "../api/types";
import { onEvent, preferences as api } from "../api/wails";
import { usePreferences } from "./preferences";

/** In the settings menu: whether this computer hosts channels, and which it runs. */
export function HostingSettings({ onError }: { onError: (e: ApiError) => void }) {
  const { t } = useTranslation();
  const [prefs, setPrefs] = usePreferences();
  const [view, setView] = useState<HostingView | null>(null);
  useEffect(() => {
    api.hosting().then(setView).catch(() => undefined);
    return onEvent("hosting:changed", setView);
  }, []);
  let status = "";
  if (prefs.hostChannels && view) {
    if (view.errorCode === "auth.forbidden") status = t("hosting.forbidden");
    else if (view.errorCode) status = t("hosting.failed", { message: view.errorMessage ?? view.errorCode });
    else if (view.channels.length > 0) status = t("hosting.runs", { channels: view.channels.join(", ") });
    else status = t("hosting.none");
  }
  return (
    <fieldset className="settings-group" data-testid="hosting-settings">
      <legend>{t("hosting.heading")}</legend>
      <label>
        <input
          type="checkbox"
          data-testid="host-channels"
          checked={prefs.hostChannels}
          onChange={(e) => setPrefs({ ...prefs, hostChannels: e.target.checked }).catch(onError)}
        />
        <span>
          {t("hosting.toggle")}
          <small>{t("hosting.toggleHint")}</small>
        </span>
      </label>
      {status && <small data-testid="hosting-status">{status}</small>}
    </fieldset>
  );
}
