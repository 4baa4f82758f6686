import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { ApiError } from "../api/types";
import { errorText } from "../i18n";

/** The per-field messages of a refused save: ours by code, else the code. */
export function useFieldText() {
  const { t, i18n } = useTranslation();
  return (code: string | undefined) => {
    if (!code) return "";
    const key = `console.fieldErrors.${code}`;
    return i18n.exists(key) ? t(key) : code;
  };
}

/** A labelled form row with its error, if any. */
export function Field({ label, error, children }: { label: string; error?: string; children: ReactNode }) {
  return (
    <label className={`field${error ? " invalid" : ""}`}>
      <span className="field-label">{label}</span>
      {children}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </label>
  );
}

/** The whole-form message of a refused save (the server's words when it has no code of ours). */
export function FormError({ error }: { error: ApiError | null }) {
  if (!error) return null;
  return (
    <p className="form-error" role="alert" data-testid="form-error">
      {errorText(error)}
    </p>
  );
}

/** Checkboxes choosing ids from a list. */
export function Checklist({
  items,
  chosen,
  onChange,
  testid,
}: {
  items: { id: string; name: string }[];
  chosen: string[];
  onChange: (ids: string[]) => void;
  testid?: string;
}) {
  return (
    <div className="checklist" data-testid={testid}>
      {items.map((it) => (
        <label key={it.id}>
          <input
            type="checkbox"
            value={it.id}
            checked={chosen.includes(it.id)}
            onChange={(e) => onChange(e.target.checked ? [...chosen, it.id] : chosen.filter((x) => x !== it.id))}
          />
          {it.name}
        </label>
      ))}
    </div>
  );
}
