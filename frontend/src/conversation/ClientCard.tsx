import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { clients } from "../api/wails";
import type { ApiError, ClientView } from "../api/types";
import { Avatar } from "../components/Avatar";
import { errorText } from "../i18n";
import { clientCard } from "../clients/cardState";
import { Section } from "../clients/Section";
import { ContactsSection } from "../clients/ContactsSection";
import { DialogsSection } from "../clients/DialogsSection";
import { TasksSection } from "../clients/TasksSection";
import { NotesSection } from "../clients/NotesSection";
import { ClientActions } from "./ClientActions";

interface Props {
  clientId: string;
  /** The dialog the card is opened from: blacklist and pin act from it. */
  dialogId: string;
  me: string;
  /** Bumped when the dialog or any client changed: the card reads again. */
  version: number;
  onOpenDialog: (id: string) => void;
  onError: (e: ApiError) => void;
}

/**
 * The client card beside the conversation: who the client is (renamed or
 * not), contacts per channel, the latest dialogs and the unified history,
 * tasks and notes. Its sections fold and stay folded. Everything a
 * customer or a colleague wrote is a text node.
 */
export function ClientCard({ clientId, dialogId, me, version, onOpenDialog, onError }: Props) {
  const { t } = useTranslation();
  const [client, setClient] = useState<ClientView | null>(null);

  useEffect(() => {
    let live = true;
    clients
      .card(clientId, dialogId)
      .then((c) => live && setClient(c))
      .catch(() => live && setClient(null));
    return () => {
      live = false;
    };
  }, [clientId, dialogId, version]);

  if (!client || client.id !== clientId) return <aside className="client-card" />;
  return (
    <aside className="client-card" data-testid="client-card" aria-label={t("client.card")}>
      <header className="client-card-header">
        <Avatar name={client.name} url={client.avatarUrl} />
        <div className="client-card-who">
          <NameEditor client={client} />
          {client.renamed && client.originalName && (
            <p className="muted client-original" data-testid="client-original">
              {t("client.originally", { name: client.originalName })}
            </p>
          )}
          {client.blacklisted && <p className="badge-blacklisted" data-testid="client-blacklisted">{t("client.blacklisted")}</p>}
        </div>
        <button type="button" className="link close-card" onClick={clientCard.close} aria-label={t("client.closeCard")} data-testid="close-client-card">
          ×
        </button>
      </header>
      <ClientActions dialogId={dialogId} client={client} onOpen={onOpenDialog} onError={onError} />
      <Section id="about" title={t("client.description")}>
        <DescriptionEditor client={client} />
      </Section>
      <ContactsSection client={client} />
      <DialogsSection clientId={client.id} clientName={client.name} version={version} onOpenDialog={onOpenDialog} />
      <TasksSection client={client} me={me} onError={onError} />
      <NotesSection client={client} />
    </aside>
  );
}

/** The name, and renaming in place (the channel's name stays as "originally"). */
function NameEditor({ client }: { client: ClientView }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(client.name);
  const [error, setError] = useState("");

  async function save(e: React.FormEvent) {
    e.preventDefault();
    try {
      await clients.rename(client.id, name.trim() === client.originalName ? "" : name);
      setEditing(false);
    } catch (err) {
      setError(errorText(err as ApiError));
    }
  }

  if (!editing) {
    return (
      <div className="client-card-name-row">
        <p className="client-card-name">{client.name}</p>
        <button
          type="button"
          className="link"
          onClick={() => {
            setName(client.name);
            setError("");
            setEditing(true);
          }}
          data-testid="client-rename"
        >
          {t("client.rename")}
        </button>
      </div>
    );
  }
  return (
    <form className="rename-form" onSubmit={(e) => void save(e)}>
      <input value={name} onChange={(e) => setName(e.target.value)} aria-label={t("client.name")} autoFocus data-testid="client-name-input" />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" onClick={() => setEditing(false)}>
          {t("conversation.cancel")}
        </button>
        <button type="submit" data-testid="client-name-save">
          {t("client.save")}
        </button>
      </div>
    </form>
  );
}

function DescriptionEditor({ client }: { client: ClientView }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(client.description);
  const [error, setError] = useState("");

  async function save(e: React.FormEvent) {
    e.preventDefault();
    try {
      await clients.describe(client.id, text);
      setEditing(false);
    } catch (err) {
      setError(errorText(err as ApiError));
    }
  }

  if (!editing) {
    return (
      <div className="client-description">
        {client.description ? <p className="note-text" data-testid="client-description">{client.description}</p> : <p className="muted">{t("client.noDescription")}</p>}
        <button
          type="button"
          className="link"
          onClick={() => {
            setText(client.description);
            setError("");
            setEditing(true);
          }}
          data-testid="client-describe"
        >
          {t("client.edit")}
        </button>
      </div>
    );
  }
  return (
    <form className="description-form" onSubmit={(e) => void save(e)}>
      <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} aria-label={t("client.description")} autoFocus data-testid="client-description-input" />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" onClick={() => setEditing(false)}>
          {t("conversation.cancel")}
        </button>
        <button type="submit" data-testid="client-description-save">
          {t("client.save")}
        </button>
      </div>
    </form>
  );
}
