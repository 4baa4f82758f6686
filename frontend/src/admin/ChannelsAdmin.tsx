import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { admin, type AdminOrg, type Channel, type Connector } from "../api/console";
import type { ApiError } from "../api/types";
import { Field, FormError } from "./fields";
import { SectionAdmin } from "./SectionAdmin";
import { fromFormValues, parseSchema, SchemaForm, toFormValues, type FormValues } from "./SchemaForm";

const kinds = ["webchat", "telegram", "whatsapp", "vk", "email", "custom"];

/** Channels: connector, line, state (with the reason it failed) and the connector's settings. */
export function ChannelsAdmin({ org, onSaved, onError }: { org: AdminOrg; onSaved: () => void; onError: (e: ApiError) => void }) {
  const { t } = useTranslation();
  const [connectors, setConnectors] = useState<Connector[]>([]);
  useEffect(() => {
    admin.connectors().then(setConnectors).catch(onError);
  }, [onError]);
  const lines = org.lines ?? [];
  const state = (c: Channel) => (
    <span className={`badge state-${c.state}`} data-testid="channel-state" title={c.stateReason}>
      {t(`console.admin.states.${c.state}`, { defaultValue: c.state })}
    </span>
  );
  return (
    <SectionAdmin<Channel>
      kind="channels"
      testid="channels"
      items={org.channels ?? []}
      blank={{ id: "", name: "", kind: "webchat", connectorId: "", lineId: lines[0]?.id ?? "", state: "active" }}
      onSaved={onSaved}
      badge={state}
      fields={(f, set, fe) => (
        <>
          <Field label={t("console.admin.name")} error={fe("name")}>
            <input name="name" value={f.name} onChange={(e) => set({ ...f, name: e.target.value })} />
          </Field>
          <Field label={t("console.admin.kind")} error={fe("kind")}>
            <select name="kind" value={f.kind} onChange={(e) => set({ ...f, kind: e.target.value })}>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t("console.admin.connector")} error={fe("connectorId")}>
            <select name="connectorId" value={f.connectorId} onChange={(e) => set({ ...f, connectorId: e.target.value })}>
              <option value="" />
              {connectors.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} {c.version} ({c.publisher})
                </option>
              ))}
              {f.connectorId && !connectors.some((c) => c.id === f.connectorId) && (
                <option value={f.connectorId}>
                  {f.connectorId} — {t("console.admin.notInstalled")}
                </option>
              )}
            </select>
          </Field>
          <Field label={t("console.admin.line")} error={fe("lineId")}>
            <select name="lineId" value={f.lineId} onChange={(e) => set({ ...f, lineId: e.target.value })}>
              <option value="" />
              {lines.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </Field>
          {f.id && (
            <div className="channel-state">
              {t("console.admin.state")}: {state(f)}
              {f.stateReason && (
                <p className="state-reason" data-testid="channel-state-reason">
                  {f.stateReason}
                </p>
              )}
            </div>
          )}
        </>
      )}
      extra={(c) => <ChannelSettings key={c.id} channel={c} connector={connectors.find((x) => x.id === c.connectorId)} />}
    />
  );
}

/** The connector's settings of one channel: a form from its schema, or JSON when it has none. */
function ChannelSettings({ channel, connector }: { channel: Channel; connector?: Connector }) {
  const { t } = useTranslation();
  const schema = parseSchema(connector?.settingsSchema);
  const [stored, setStored] = useState<Record<string, unknown> | null>(null);
  const [values, setValues] = useState<FormValues>({});
  const [json, setJson] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    admin
      .channelSettings(channel.id)
      .then((s) => {
        setStored(s);
        setJson(JSON.stringify(s, null, 2));
      })
      .catch(setError);
  }, [channel.id]);
  useEffect(() => {
    if (stored && schema) setValues(toFormValues(schema, stored));
    // schema is derived from connector; re-derive when it or stored change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stored, connector?.settingsSchema]);

  const save = async () => {
    setSaved(false);
    setError(null);
    let settings: Record<string, unknown>;
    if (schema) {
      const r = fromFormValues(schema, values, stored ?? {});
      setErrors(r.errors);
      if (Object.keys(r.errors).length > 0) return;
      settings = r.settings;
    } else {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(json);
      } catch {
        // reported below
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        setErrors({ json: "invalid" });
        return;
      }
      settings = parsed as Record<string, unknown>;
      setErrors({});
    }
    try {
      await admin.saveChannelSettings(channel.id, settings);
      setStored(settings);
      setSaved(true);
    } catch (e) {
      setError(e as ApiError);
    }
  };

  if (!stored) return <FormError error={error} />;
  return (
    <form
      className="admin-form channel-settings"
      noValidate
      data-testid="channel-settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h4>{t("console.admin.settings")}</h4>
      {schema ? (
        <SchemaForm schema={schema} values={values} errors={errors} onChange={setValues} />
      ) : (
        <Field label={t("console.admin.noSchema")} error={errors.json ? t("console.admin.badJson") : undefined}>
          <textarea name="settings-json" rows={8} value={json} onChange={(e) => setJson(e.target.value)} data-testid="settings-json" />
        </Field>
      )}
      <FormError error={error} />
      {saved && (
        <p className="form-saved" data-testid="settings-saved">
          {t("console.admin.settingsSaved")}
        </p>
      )}
      <button type="submit" data-testid="settings-save">
        {t("console.admin.save")}
      </button>
    </form>
  );
}
