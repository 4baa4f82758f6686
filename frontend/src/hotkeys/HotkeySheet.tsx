import { useTranslation } from "react-i18next";
import { hotkeys, keysOf, useHotkey } from "./hotkeys";

/** The `?` sheet: every shortcut with its keys as this OS writes them. Esc closes it. */
export function HotkeySheet({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  useHotkey("close", onClose);
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="sheet hotkey-sheet" role="dialog" aria-modal="true" aria-label={t("hotkeys.title")} data-testid="hotkey-sheet">
        <header className="sheet-header">
          <h3>{t("hotkeys.title")}</h3>
          <button type="button" onClick={onClose} aria-label={t("hotkeys.closeSheet")}>
            ×
          </button>
        </header>
        <table>
          <tbody>
            {hotkeys.map((h) => (
              <tr key={h.id} data-testid={`hotkey-${h.id}`}>
                <td className="hotkey-keys">
                  {keysOf(h.id).map((k, i) => (
                    <kbd key={i}>{k}</kbd>
                  ))}
                </td>
                <td>{t(`hotkeys.${h.id}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
