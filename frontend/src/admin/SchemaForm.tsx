import { useTranslation } from "react-i18next";
import { Field } from "./fields";

/** The part of JSON Schema a connector's settings use. */
export interface SchemaProp {
  type?: string;
  title?: string;
  description?: string;
  enum?: (string | number)[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  writeOnly?: boolean;
  "x-secret"?: boolean;
  default?: unknown;
  items?: { type?: string };
}

export interface SettingsSchema {
  type?: string;
  properties?: Record<string, SchemaProp>;
  required?: string[];
}

/** Parses a connector's schema; null when it is not an object schema we can draw. */
export function parseSchema(text: string | undefined): SettingsSchema | null {
  if (!text) return null;
  try {
    const s = JSON.parse(text) as SettingsSchema;
    return s && s.type === "object" && s.properties && typeof s.properties === "object" ? s : null;
  } catch {
    return null;
  }
}

/** What the form edits: text for inputs, booleans for checkboxes. */
export type FormValues = Record<string, string | boolean>;

const secret = (p: SchemaProp) => Boolean(p.writeOnly || p["x-secret"]);

/** Stored settings as form values; secrets start empty (left empty, they keep their value). */
export function toFormValues(schema: SettingsSchema, settings: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const [k, p] of Object.entries(schema.properties ?? {})) {
    const v = settings[k] ?? (secret(p) ? undefined : p.default);
    if (p.type === "boolean") out[k] = Boolean(v);
    else if (p.type === "array") out[k] = Array.isArray(v) ? v.join("\n") : "";
    else out[k] = secret(p) || v === undefined || v === null ? "" : String(v);
  }
  return out;
}

/**
 * Checks the values against the schema and builds the settings object.
 * Errors are field -> code (the codes of console.fieldErrors).
 */
export function fromFormValues(
  schema: SettingsSchema,
  values: FormValues,
  stored: Record<string, unknown>,
): { settings: Record<string, unknown>; errors: Record<string, string> } {
  const settings: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const required = new Set(schema.required ?? []);
  for (const [k, p] of Object.entries(schema.properties ?? {})) {
    const v = values[k];
    if (p.type === "boolean") {
      settings[k] = Boolean(v);
      continue;
    }
    const text = typeof v === "string" ? v.trim() : "";
    if (text === "") {
      if (secret(p) && stored[k] !== undefined) settings[k] = stored[k];
      else if (required.has(k)) errors[k] = "required";
      continue;
    }
    if (p.type === "integer" || p.type === "number") {
      const n = Number(text);
      if (!Number.isFinite(n) || (p.type === "integer" && !Number.isInteger(n))) errors[k] = "invalid";
      else if ((p.minimum !== undefined && n < p.minimum) || (p.maximum !== undefined && n > p.maximum)) errors[k] = "out_of_range";
      else settings[k] = n;
      continue;
    }
    if (p.type === "array") {
      settings[k] = text.split("\n").map((s) => s.trim()).filter(Boolean);
      continue;
    }
    if (p.minLength !== undefined && text.length < p.minLength) errors[k] = "too_short";
    else if (p.maxLength !== undefined && [...text].length > p.maxLength) errors[k] = "too_long";
    else if (p.pattern && !new RegExp(p.pattern, "u").test(text)) errors[k] = "invalid";
    else if (p.enum && !p.enum.map(String).includes(text)) errors[k] = "invalid";
    else settings[k] = text;
  }
  return { settings, errors };
}

/** A connector's settings form, drawn from its JSON Schema. */
export function SchemaForm({
  schema,
  values,
  errors,
  onChange,
}: {
  schema: SettingsSchema;
  values: FormValues;
  errors: Record<string, string>;
  onChange: (v: FormValues) => void;
}) {
  const { t, i18n } = useTranslation();
  const required = new Set(schema.required ?? []);
  const errText = (k: string) => {
    const code = errors[k];
    if (!code) return undefined;
    const key = `console.fieldErrors.${code}`;
    return i18n.exists(key) ? t(key) : code;
  };
  return (
    <div className="schema-form" data-testid="schema-form">
      {Object.entries(schema.properties ?? {}).map(([k, p]) => {
        const label = `${p.title || k}${required.has(k) ? " *" : ""}`;
        const set = (v: string | boolean) => onChange({ ...values, [k]: v });
        let input;
        if (p.type === "boolean") {
          input = <input type="checkbox" name={k} checked={Boolean(values[k])} onChange={(e) => set(e.target.checked)} />;
        } else if (p.enum) {
          input = (
            <select name={k} value={String(values[k] ?? "")} onChange={(e) => set(e.target.value)}>
              <option value="" />
              {p.enum.map((o) => (
                <option key={String(o)} value={String(o)}>
                  {String(o)}
                </option>
              ))}
            </select>
          );
        } else if (p.type === "array") {
          input = <textarea name={k} rows={3} value={String(values[k] ?? "")} onChange={(e) => set(e.target.value)} />;
        } else {
          input = (
            <input
              name={k}
              type={secret(p) ? "password" : p.type === "integer" || p.type === "number" ? "number" : "text"}
              autoComplete="off"
              value={String(values[k] ?? "")}
              onChange={(e) => set(e.target.value)}
            />
          );
        }
        return (
          <Field key={k} label={label} error={errText(k)}>
            {input}
            {p.description && <small>{p.description}</small>}
          </Field>
        );
      })}
    </div>
  );
}
