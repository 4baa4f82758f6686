import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en";
import ru from "./ru";
import uk from "./uk";
import consoleEn from "./console.en";
import consoleRu from "./console.ru";
import consoleUk from "./console.uk";
import type { ApiError } from "../api/types";
import { formatBytes } from "../components/format";

export const languages = ["en", "ru", "uk"] as const;
export type Language = (typeof languages)[number];

const storageKey = "switchboard.language";

/** The operator's choice first, then the OS language, then English. */
function initialLanguage(): Language {
  const saved = localStorage.getItem(storageKey);
  if (saved && (languages as readonly string[]).includes(saved)) return saved as Language;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split("-")[0];
    if ((languages as readonly string[]).includes(base)) return base as Language;
  }
  return "en";
}

i18n.use(initReactI18next).init({
  // The console's strings live in their own files, under "console".
  resources: {
    en: { translation: { ...en, console: consoleEn } },
    ru: { translation: { ...ru, console: consoleRu } },
    uk: { translation: { ...uk, console: consoleUk } },
  },
  lng: initialLanguage(),
  fallbackLng: "en",
  // React escapes what it renders; i18next must not escape twice.
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = i18n.language;

export function setLanguage(lang: Language) {
  localStorage.setItem(storageKey, lang);
  void i18n.changeLanguage(lang);
  document.documentElement.lang = lang;
}

/**
 * The operator-readable text of an API error: ours by code, else the
 * server's words. Codes are dotted ("auth.invalid"); the keys use "_" so
 * i18next does not read the dot as nesting.
 */
export function errorText(err: ApiError): string {
  const key = `errors.${err.code.replace(/\./g, "_")}`;
  if (i18n.exists(key)) return i18n.t(key, errorArgs(err));
  return err.message || i18n.t("errors.internal");
}

/** Whether the app has its own words for an error code. */
export function knowsError(code: string): boolean {
  return i18n.exists(`errors.${code.replace(/\./g, "_")}`);
}

/** An error's args for its translation; byte limits of "too large" errors read as sizes. */
function errorArgs(err: ApiError): Record<string, string> {
  const args: Record<string, string> = { name: "", max: "", size: "", type: "", ...err.args };
  if (err.code.endsWith("too_large")) {
    for (const k of ["max", "size"]) {
      const n = Number(args[k]);
      if (args[k] !== "" && Number.isFinite(n)) args[k] = formatBytes(n);
    }
  }
  return args;
}

export default i18n;
