import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { admin, type AdminOrg, type Operator } from "../api/console";
import type { ApiError } from "../api/types";
import { EntityList } from "./EntityList";
import { Field, FormError, useFieldText } from "./fields";

const blank: Operator = { id: "", name: "", email: "", role: "operator", active: true, capacity: 0 };

/** The most dialogs in progress auto-assignment may give one operator (the server's MaxCapacity). */
export const maxCapacity = 100;

/** People: create one with a password, change the role, deactivate, reset the password. */
export function OperatorsAdmin({ org, onSaved }: { org: AdminOrg; onSaved: () => void }) {
  const { t } = useTranslation();
  const fieldText = useFieldText();
  const ops = org.operators ?? [];
  const [selected, setSelected] = useState<string | null>(null);
  const [form, setForm] = useState<Operator>(blank);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    // null: nothing chosen; form.id: the entity just saved, already shown.
    if (selected === null || (selected !== "" && selected === form.id)) return;
    setForm(ops.find((o) => o.id === selected) ?? blank);
    setPassword("");
    setError(null);
    setSaved(false);
    // ops changes after every save; the form follows the selection only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected]);

  const save = async () => {
    setError(null);
    setSaved(false);
    if (!Number.isInteger(form.capacity) || form.capacity < 0 || form.capacity > maxCapacity) {
      setError({ code: "validation.out_of_range", fields: { capacity: "out_of_range" } });
      return;
    }
    try {
      // The server takes exactly OperatorInput's fields.
      const { name, email, role, active, capacity, language } = form;
      const id = await admin.save("operators", form.id, { name, email, role, active, capacity, language, password: password || undefined });
      setForm((f) => ({ ...f, id }));
      setSelected(id);
      setPassword("");
      setSaved(true);
      onSaved();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const fe = (f: string) => fieldText(error?.fields?.[f]);
  // A capacity out of range says what is allowed, not just "out of range".
  const capacityError = error?.fields?.capacity ? t("console.admin.capacityError", { max: maxCapacity }) : undefined;

  return (
    <div className="admin-section">
      <EntityList
        items={ops}
        selected={selected}
        onSelect={setSelected}
        testid="operators"
        badge={(o) => !o.active && <span className="badge muted">{t("console.admin.inactive")}</span>}
      />
      {selected !== null && (
        <form
          className="admin-form"
          noValidate
          data-testid="operator-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <Field label={t("console.admin.name")} error={fe("name")}>
            <input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </Field>
          <Field label={t("console.admin.email")} error={fe("email")}>
            <input name="email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
          </Field>
          <Field label={t("console.admin.role")} error={fe("role")}>
            <select name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
              {(org.roles ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("console.admin.capacity")} error={capacityError}>
            <input
              name="capacity"
              type="number"
              min={0}
              max={maxCapacity}
              step={1}
              value={Number.isNaN(form.capacity) ? "" : form.capacity}
              onChange={(e) => setForm({ ...form, capacity: e.target.value === "" ? NaN : Number(e.target.value) })}
            />
            <small>{t("console.admin.capacityHint")}</small>
          </Field>
          <Field label={t("console.admin.active")} error={fe("active")}>
            <input name="active" type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} />
          </Field>
          <Field label={t("console.admin.password")} error={fe("password")}>
            <input name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
            {form.id && <small>{t("console.admin.passwordHint")}</small>}
          </Field>
          <FormError error={error} />
          {saved && <p className="form-saved" data-testid="form-saved">{t("console.admin.saved")}</p>}
          <button type="submit" data-testid="operator-save">
            {t("console.admin.save")}
          </button>
        </form>
      )}
    </div>
  );
}
