import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { clients, inbox } from "../api/wails";
import type { ApiError, ClientView, OperatorView, TaskView } from "../api/types";
import { errorText } from "../i18n";
import i18n from "../i18n";
import { Section } from "./Section";

/** Today in the operator's calendar, as a date input holds it. */
function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function formatDue(ms: number): string {
  return new Intl.DateTimeFormat(i18n.language, { day: "numeric", month: "short", year: "numeric" }).format(new Date(ms));
}

interface Props {
  client: ClientView;
  me: string;
  onError: (e: ApiError) => void;
}

/** The client's tasks: open ones by due date, done ones after; set one in two clicks. */
export function TasksSection({ client, me, onError }: Props) {
  const { t } = useTranslation();
  const [creating, setCreating] = useState(false);
  const open = client.tasks.filter((k) => !k.done).length;
  return (
    <Section
      id="tasks"
      title={t("client.tasks")}
      extra={
        <>
          {open > 0 && <span className="count" data-testid="open-tasks">{open}</span>}
          {!creating && (
            <button type="button" className="link" onClick={() => setCreating(true)} data-testid="task-add">
              {t("client.addTask")}
            </button>
          )}
        </>
      }
    >
      {creating && <TaskForm clientId={client.id} me={me} onDone={() => setCreating(false)} />}
      {client.tasks.length === 0 && !creating && <p className="muted">{t("client.noTasks")}</p>}
      <ul className="tasks">
        {client.tasks.map((k) => (
          <TaskRow key={k.id} task={k} me={me} onError={onError} />
        ))}
      </ul>
    </Section>
  );
}

/** One task; its checkbox answers at once, and goes back if the change is refused. */
function TaskRow({ task: k, me, onError }: { task: TaskView; me: string; onError: (e: ApiError) => void }) {
  const { t } = useTranslation();
  const [done, setDone] = useState(k.done);
  useEffect(() => setDone(k.done), [k.done]);
  return (
    <li className={`task${done ? " done" : ""}${k.overdue && !done ? " overdue" : ""}`} data-testid="task" data-done={done}>
      <label>
        <input
          type="checkbox"
          checked={done}
          disabled={!k.mayChange}
          onChange={(e) => {
            const want = e.target.checked;
            setDone(want);
            clients.completeTask(k.id, want).catch((err: ApiError) => {
              setDone(k.done);
              onError(err);
            });
          }}
          aria-label={done ? t("client.reopenTask") : t("client.completeTask")}
          data-testid="task-done"
        />
        <span className="task-text">{k.text}</span>
      </label>
      <span className="muted task-meta">
        {k.overdue ? t("client.overdue", { date: formatDue(k.dueAt) }) : t("client.due", { date: formatDue(k.dueAt) })}
        {k.assigneeId !== me && ` · ${k.assigneeName}`}
      </span>
      {k.mayChange && (
        <button type="button" className="link" onClick={() => clients.deleteTask(k.id).catch(onError)} data-testid="task-delete">
          {t("client.deleteTask")}
        </button>
      )}
    </li>
  );
}

function TaskForm({ clientId, me, onDone }: { clientId: string; me: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [due, setDue] = useState(today());
  const [assignee, setAssignee] = useState("");
  const [colleagues, setColleagues] = useState<OperatorView[]>([]);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    inbox.operators().then(setColleagues).catch(() => undefined);
  }, []);

  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      await clients.createTask(clientId, text, due, assignee === me ? "" : assignee);
      onDone();
    } catch (err) {
      setError(errorText(err as ApiError));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="task-form" onSubmit={(e) => void save(e)} data-testid="task-form">
      <input
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setError("");
        }}
        placeholder={t("client.taskPlaceholder")}
        aria-label={t("client.taskText")}
        autoFocus
        data-testid="task-text"
      />
      <div className="task-form-row">
        <input type="date" value={due} min={today()} onChange={(e) => setDue(e.target.value)} aria-label={t("client.taskDue")} data-testid="task-due" />
        {colleagues.length > 0 && (
          <select value={assignee} onChange={(e) => setAssignee(e.target.value)} aria-label={t("client.taskFor")} data-testid="task-assignee">
            <option value="">{t("client.taskForMe")}</option>
            {colleagues.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        )}
      </div>
      {error && (
        <p className="error" role="alert" data-testid="task-error">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="button" onClick={onDone}>
          {t("conversation.cancel")}
        </button>
        <button type="submit" disabled={busy} data-testid="task-save">
          {t("client.createTask")}
        </button>
      </div>
    </form>
  );
}
