import { useTranslation } from "react-i18next";
import { languages, setLanguage, type Language } from "../i18n";

const names: Record<Language, string> = { en: "English", ru: "Русский", uk: "Українська" };

export function LanguagePicker() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language">
      <span>{t("app.language")}</span>
      <select data-testid="language" value={i18n.language} onChange={(e) => setLanguage(e.target.value as Language)}>
        {languages.map((l) => (
          <option key={l} value={l}>
            {names[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
