import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { smtp, type SMTPSettings } from "../api/console";
import type { ApiError } from "../api/types";
import { Field, FormError, useFieldText } from "./fields";

/**
 * The SMTP server the team server mails exported conversations through.
 * The settings live on the server only; the password is write-only: left
 * empty, the saved one is kept.
 */
export function SmtpAdmin({ onError }: { onError: (e: ApiError) => void }) {
  const { t } = useTranslation();
  const fieldText = useFieldText();
  const [form, setForm] = useState<SMTPSettings | null>(null);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    smtp.get().then(setForm).catch(onError);
  }, [onError]);

  if (!form) return null;
  const fe = (f: string) => fieldText(error?.fields?.[f]);
  const set = (patch: Partial<SMTPSettings>) => setForm({ ...form, ...patch });

  const save = async () => {
    setError(null);
    setSaved(false);
    try {
      const next: SMTPSettings = { ...form, password: password === "" ? undefined : password };
      setForm(await smtp.save(next));
      setPassword("");
      setSaved(true);
    } catch (e) {
      setError(e as ApiError);
    }
  };

  return (
    <div className="admin-section">
      <form
        className="admin-form"
        noValidate
        data-testid="smtp-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <p className="muted">{t("console.smtp.intro")}</p>
        <Field label={t("console.smtp.host")} error={fe("host")}>
          <input name="host" value={form.host} onChange={(e) => set({ host: e.target.value })} placeholder="smtp.example.com" />
        </Field>
        <Field label={t("console.smtp.port")} error={fe("port")}>
          <input name="port" type="number" min={1} max={65535} value={form.port || ""} onChange={(e) => set({ port: Number(e.target.value) })} />
        </Field>
        <Field label={t("console.smtp.security")} error={fe("security")}>
          <select name="security" value={form.security} onChange={(e) => set({ security: e.target.value as SMTPSettings["security"] })}>
            <option value="starttls">{t("console.smtp.starttls")}</option>
            <option value="tls">{t("console.smtp.tls")}</option>
            <option value="none">{t("console.smtp.none")}</option>
          </select>
        </Field>
        <Field label={t("console.smtp.username")} error={fe("username")}>
          <input name="username" value={form.username ?? ""} onChange={(e) => set({ username: e.target.value })} autoComplete="off" />
        </Field>
        <Field label={t("console.smtp.password")} error={fe("password")}>
          <input
            name="password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            placeholder={form.passwordSet ? t("console.smtp.passwordKept") : ""}
            autoComplete="new-password"
          />
        </Field>
        <Field label={t("console.smtp.from")} error={fe("from")}>
          <input name="from" value={form.from} onChange={(e) => set({ from: e.target.value })} placeholder="Demo Shop <support@example.com>" />
        </Field>
        <Field label={t("console.smtp.caCert")} error={fe("caCert")}>
          <textarea name="caCert" rows={3} value={form.caCert ?? ""} onChange={(e) => set({ caCert: e.target.value })} placeholder="-----BEGIN CERTIFICATE-----" />
        </Field>
        <FormError error={error} />
        {saved && (
          <p className="form-saved" data-testid="form-saved">
            {t("console.admin.saved")}
          </p>
        )}
        <button type="submit" data-testid="smtp-save">
          {t("console.admin.save")}
        </button>
      </form>
    </div>
  );
}
