import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { alerts } from "../api/wails";
import type { AlertSettings, ApiError } from "../api/types";
import { ReadingSettings } from "../settings/ReadingSettings";
import { HostingSettings } from "../settings/HostingSettings";

/**
 * The alerts button in the top bar: Do Not Disturb and hidden message text.
 * It also keeps the backend's alert language in step with the UI's.
 */
export function AlertSettingsMenu({ onError }: { onError: (e: ApiError) => void }) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const [settings, setSettings] = useState<AlertSettings | null>(null);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    alerts.settings().then(setSettings).catch(onError);
  }, [onError]);

  // Alerts speak the UI's language: tell the backend whenever it changes.
  useEffect(() => {
    if (!settings || settings.language === i18n.language) return;
    alerts
      .setSettings({ ...settings, language: i18n.language })
      .then(setSettings)
      .catch(onError);
  }, [settings, i18n.language, onError]);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);

  const change = (patch: Partial<AlertSettings>) => {
    if (!settings) return;
    alerts
      .setSettings({ ...settings, ...patch })
      .then(setSettings)
      .catch(onError);
  };

  return (
    <div className="alerts-menu" ref={ref}>
      <button type="button" data-testid="alerts-button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {settings?.doNotDisturb ? t("alerts.off") : t("alerts.button")}
      </button>
      {open && settings && (
        <div className="alerts-panel" role="dialog" aria-label={t("alerts.heading")}>
          <strong>{t("alerts.heading")}</strong>
          <label>
            <input
              type="checkbox"
              data-testid="alerts-dnd"
              checked={settings.doNotDisturb}
              onChange={(e) => change({ doNotDisturb: e.target.checked })}
            />
            <span>
              {t("alerts.doNotDisturb")}
              <small>{t("alerts.doNotDisturbHint")}</small>
            </span>
          </label>
          <label>
            <input
              type="checkbox"
              data-testid="alerts-hide-text"
              checked={settings.hideText}
              onChange={(e) => change({ hideText: e.target.checked })}
            />
            <span>
              {t("alerts.hideText")}
              <small>{t("alerts.hideTextHint")}</small>
            </span>
          </label>
          <ReadingSettings onError={onError} />
          <HostingSettings onError={onError} />
        </div>
      )}
    </div>
  );
}

/**
 * Tells the backend which dialog the operator is looking at: the open one
 * while the window is visible and focused, none otherwise.
 */
export function useViewingReport(selected: string) {
  useEffect(() => {
    const report = () => {
      const looking = document.visibilityState === "visible" && document.hasFocus();
      alerts.setViewing(looking ? selected : "").catch(() => undefined);
    };
    report();
    window.addEventListener("focus", report);
    window.addEventListener("blur", report);
    document.addEventListener("visibilitychange", report);
    return () => {
      window.removeEventListener("focus", report);
      window.removeEventListener("blur", report);
      document.removeEventListener("visibilitychange", report);
    };
  }, [selected]);
}
