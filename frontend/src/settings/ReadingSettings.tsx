import { useTranslation } from "react-i18next";
import type { ApiError } from "../api/types";
import { shortcut } from "../hotkeys/hotkeys";
import { usePreferences } from "./preferences";

/** In the settings menu: when the client's messages count as read. */
export function ReadingSettings({ onError }: { onError: (e: ApiError) => void }) {
  const { t } = useTranslation();
  const [prefs, setPrefs] = usePreferences();
  const choose = (readOn: "open" | "mark") => setPrefs({ ...prefs, readOn }).catch(onError);
  return (
    <fieldset className="settings-group" data-testid="reading-settings">
      <legend>{t("reading.heading")}</legend>
      <label>
        <input type="radio" name="read-on" checked={prefs.readOn === "open"} onChange={() => choose("open")} data-testid="read-on-open" />
        <span>
          {t("reading.onOpen")}
          <small>{t("reading.onOpenHint")}</small>
        </span>
      </label>
      <label>
        <input type="radio" name="read-on" checked={prefs.readOn === "mark"} onChange={() => choose("mark")} data-testid="read-on-mark" />
        <span>
          {t("reading.onMark")}
          <small>{t("reading.onMarkHint", { keys: shortcut("markRead") })}</small>
        </span>
      </label>
    </fieldset>
  );
}
