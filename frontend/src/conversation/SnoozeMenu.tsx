import { useState } from "react";
import { useTranslation } from "react-i18next";
import { localInputValue, snoozePresets, snoozeUntil } from "./snooze";

interface Props {
  onSnooze: (until: number) => void;
}

/** The clock beside Close: snooze for a preset, until a chosen time, or until the client writes. */
export function SnoozeMenu({ onSnooze }: Props) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [custom, setCustom] = useState("");
  const pick = (until: number) => {
    setOpen(false);
    onSnooze(until);
  };
  const customMs = custom ? new Date(custom).getTime() : NaN;
  return (
    <span className="snooze-menu">
      <button type="button" onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="action-snooze">
        {t("snooze.button")}
      </button>
      {open && (
        <div className="snooze-panel" role="menu" data-testid="snooze-menu">
          {snoozePresets.map((p) => (
            <button key={p} type="button" role="menuitem" onClick={() => pick(snoozeUntil(p))} data-testid={`snooze-${p}`}>
              {t(`snooze.${p}`)}
            </button>
          ))}
          <label className="snooze-custom">
            {t("snooze.until")}
            <input
              type="datetime-local"
              value={custom}
              min={localInputValue(Date.now())}
              onChange={(e) => setCustom(e.target.value)}
              data-testid="snooze-custom"
            />
          </label>
          <button type="button" disabled={!(customMs > Date.now())} onClick={() => pick(customMs)} data-testid="snooze-custom-ok">
            {t("snooze.ok")}
          </button>
        </div>
      )}
    </span>
  );
}
