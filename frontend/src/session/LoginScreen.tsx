import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { session } from "../api/wails";
import type { ApiError, SessionState } from "../api/types";
import { errorText } from "../i18n";
import { LanguagePicker } from "./LanguagePicker";

interface Props {
  defaultServer: string;
  /** Why the last session stopped, shown above the form. */
  stoppedBy?: ApiError;
  onSignedIn: (s: SessionState) => void;
}

export function LoginScreen({ defaultServer, stoppedBy, onSignedIn }: Props) {
  const { t } = useTranslation();
  const [server, setServer] = useState(defaultServer);
  // The address the app starts with (SWITCHBOARD_SERVER, or the server of
  // the last session) may arrive after the form is shown: take it until
  // the operator types an address of their own.
  const typed = useRef(false);
  useEffect(() => {
    if (!typed.current && defaultServer) setServer(defaultServer);
  }, [defaultServer]);
  function typeServer(value: string) {
    typed.current = true;
    setServer(value);
  }
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(stoppedBy);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await session.login(server, email, password));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} data-testid="login-form">
        <h1>{t("app.title")}</h1>
        <h2>{t("login.heading")}</h2>
        {error && (
          <p className="error" role="alert" data-testid="login-error">
            {errorText(error)}
          </p>
        )}
        <label>
          <span>{t("login.server")}</span>
          <input name="server" value={server} onChange={(e) => typeServer(e.target.value)} autoComplete="url" />
        </label>
        <label>
          <span>{t("login.email")}</span>
          <input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" required />
        </label>
        <label>
          <span>{t("login.password")}</span>
          <input name="password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />
        </label>
        <button type="submit" disabled={busy} data-testid="login-submit">
          {busy ? t("login.busy") : t("login.submit")}
        </button>
        <LanguagePicker />
      </form>
    </main>
  );
}
