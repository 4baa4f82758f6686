import { useState } from "react";
import { useTranslation } from "react-i18next";
import { clients } from "../api/wails";
import type { ApiError, ChannelView, ClientView, ContactView } from "../api/types";
import { ChannelBadge } from "../components/Avatar";
import { errorText } from "../i18n";
import { Section } from "./Section";

/** The client's contacts per channel; phones and e-mails may be typed in and edited. */
export function ContactsSection({ client }: { client: ClientView }) {
  const { t } = useTranslation();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState(""); // channelId + externalId of the contact being edited
  const channels = client.contactChannels;
  const keyOf = (c: ContactView) => `${c.channelId}\u0000${c.externalId}`;

  return (
    <Section
      id="contacts"
      title={t("client.contacts")}
      extra={
        channels.length > 0 && !adding ? (
          <button type="button" className="link" onClick={() => setAdding(true)} data-testid="contact-add">
            {t("client.addContact")}
          </button>
        ) : undefined
      }
    >
      {client.contacts.length === 0 && <p className="muted">{t("client.noContacts")}</p>}
      <ul className="contacts">
        {client.contacts.map((c) =>
          editing === keyOf(c) ? (
            <li key={keyOf(c)}>
              <ContactForm
                clientId={client.id}
                channels={channels.filter((ch) => ch.id === c.channelId)}
                contact={c}
                onDone={() => setEditing("")}
              />
            </li>
          ) : (
            <li key={keyOf(c)} className="contact" data-testid="contact" data-kind={c.kind}>
              <ChannelBadge kind={c.kind} title={c.channelName} />
              <span className="contact-handle">{c.handle}</span>
              <span className="muted contact-channel">{c.channelName}</span>
              {c.manual && (
                <button type="button" className="link" onClick={() => setEditing(keyOf(c))} data-testid="contact-edit">
                  {t("client.edit")}
                </button>
              )}
            </li>
          ),
        )}
      </ul>
      {adding && <ContactForm clientId={client.id} channels={channels} onDone={() => setAdding(false)} />}
    </Section>
  );
}

interface FormProps {
  clientId: string;
  channels: ChannelView[];
  /** The contact to change; none adds one. */
  contact?: ContactView;
  onDone: () => void;
}

function ContactForm({ clientId, channels, contact, onDone }: FormProps) {
  const { t } = useTranslation();
  const [channelId, setChannelId] = useState(contact?.channelId ?? channels[0]?.id ?? "");
  const [value, setValue] = useState(contact?.handle ?? "");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const kind = channels.find((c) => c.id === channelId)?.kind ?? "";

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      await clients.saveContact(clientId, channelId, contact?.externalId ?? "", value);
      onDone();
    } catch (err) {
      // What was typed stays, with what is wrong with it.
      setError(errorText(err as ApiError));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="contact-form" onSubmit={(e) => void save(e)} data-testid="contact-form">
      {!contact && channels.length > 1 && (
        <select value={channelId} onChange={(e) => setChannelId(e.target.value)} aria-label={t("client.contactChannel")} data-testid="contact-channel">
          {channels.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      )}
      <input
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          setError("");
        }}
        placeholder={kind === "email" ? t("client.emailPlaceholder") : t("client.phonePlaceholder")}
        aria-label={kind === "email" ? t("client.email") : t("client.phone")}
        aria-invalid={!!error}
        autoFocus
        data-testid="contact-value"
      />
      {error && (
        <p className="error" role="alert" data-testid="contact-error">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" onClick={onDone}>
          {t("conversation.cancel")}
        </button>
        <button type="submit" disabled={busy || !channelId} data-testid="contact-save">
          {t("client.save")}
        </button>
      </div>
    </form>
  );
}
