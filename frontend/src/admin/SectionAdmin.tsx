import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { admin, type AdminKind } from "../api/console";
import type { ApiError } from "../api/types";
import { EntityList } from "./EntityList";
import { FormError, useFieldText } from "./fields";

interface Props<T> {
  kind: AdminKind;
  items: T[];
  blank: T;
  testid: string;
  onSaved: () => void;
  badge?: (it: T) => ReactNode;
  /** The form's fields; fe(field) is the error text of a refused save. */
  fields: (form: T, set: (f: T) => void, fe: (field: string) => string) => ReactNode;
  /** Below the form, for the selected, saved entity. */
  extra?: (it: T) => ReactNode;
}

/** One admin section: its entities on the left, the chosen one's form on the right. */
export function SectionAdmin<T extends { id: string; name: string }>({ kind, items, blank, testid, onSaved, badge, fields, extra }: Props<T>) {
  const { t } = useTranslation();
  const fieldText = useFieldText();
  const [selected, setSelected] = useState<string | null>(null);
  const [form, setForm] = useState<T>(blank);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    // null: nothing chosen; form.id: the entity just saved, already shown.
    if (selected === null || (selected !== "" && selected === form.id)) return;
    setForm(items.find((o) => o.id === selected) ?? blank);
    setError(null);
    setSaved(false);
    // items change after every save; the form follows the selection only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selected]);

  const save = async () => {
    setError(null);
    setSaved(false);
    try {
      const id = await admin.save(kind, form.id, form);
      setForm((f) => ({ ...f, id }));
      setSelected(id);
      setSaved(true);
      onSaved();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  const current = selected ? items.find((o) => o.id === selected) : undefined;

  return (
    <div className="admin-section">
      <EntityList items={items} selected={selected} onSelect={setSelected} testid={testid} badge={badge} />
      {selected !== null && (
        <div className="admin-detail">
          <form
            className="admin-form"
          noValidate
            data-testid={`${testid}-form`}
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            {fields(form, setForm, (f) => fieldText(error?.fields?.[f]))}
            <FormError error={error} />
            {saved && (
              <p className="form-saved" data-testid="form-saved">
                {t("console.admin.saved")}
              </p>
            )}
            <button type="submit" data-testid={`${testid}-save`}>
              {t("console.admin.save")}
            </button>
          </form>
          {current && extra?.(current)}
        </div>
      )}
    </div>
  );
}
