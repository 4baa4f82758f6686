import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { onEvent, session } from "./api/wails";
import type { ApiError } from "./api/types";
import { errorText } from "./i18n";
import { useSession } from "./session/useSession";
import { LoginScreen } from "./session/LoginScreen";
import { ConnectionBanner } from "./session/ConnectionBanner";
import { LanguagePicker } from "./session/LanguagePicker";
import { InboxPane } from "./inbox/InboxPane";
import { ConversationPane } from "./conversation/ConversationPane";
import { SearchBox } from "./search/SearchBox";
import { inbox } from "./api/wails";

export function App() {
  const { t } = useTranslation();
  const { state, setState, progress, loaded } = useSession();
  const [listVersion, setListVersion] = useState(0);
  const [dialogVersion, setDialogVersion] = useState(0);
  const [selected, setSelected] = useState("");
  // The event handler reads the open dialog without resubscribing.
  const selectedRef = useRef("");
  selectedRef.current = selected;
  const [notice, setNotice] = useState("");
  const [mine, setMine] = useState(0);

  // The one subscription to data events; re-reads are cheap replica queries.
  useEffect(() => {
    const offChanged = onEvent("inbox:changed", (ev) => {
      setListVersion((v) => v + 1);
      const cur = selectedRef.current;
      if (cur && (ev.org || ev.dialogIds.includes(cur))) setDialogVersion((v) => v + 1);
    });
    const offRejected = onEvent("command:rejected", (ev) => {
      setNotice(t("errors.rejected", { reason: ev.message || errorText({ code: ev.code }) }));
    });
    return () => {
      offChanged();
      offRejected();
    };
  }, [t]);

  useEffect(() => {
    if (!state.operatorId) return;
    inbox
      .counts()
      .then((c) => setMine(c.mine ?? 0))
      .catch(() => undefined);
  }, [state.operatorId, listVersion]);

  const showError = useCallback((e: ApiError) => setNotice(errorText(e)), []);

  if (!loaded) return null;
  if (state.status === "signed_out" || !state.operatorId || state.status === "stopped") {
    return (
      <LoginScreen
        defaultServer={state.server}
        stoppedBy={state.status === "stopped" && state.errorCode ? { code: state.errorCode, message: state.errorMessage } : undefined}
        onSignedIn={setState}
      />
    );
  }

  return (
    <div className="shell">
      <header className="topbar">
        <strong>{t("app.title")}</strong>
        <span className="mine-count" data-testid="mine-count">
          {t("session.inProgress", { count: mine })}
        </span>
        <SearchBox onOpen={setSelected} />
        <span className="me">{state.operatorName}</span>
        <LanguagePicker />
        <button type="button" onClick={() => session.logout().catch(showError)}>
          {t("session.signOut")}
        </button>
      </header>
      <ConnectionBanner state={state} progress={progress} />
      {notice && (
        <div className="notice" role="alert" onClick={() => setNotice("")} data-testid="notice">
          {notice}
        </div>
      )}
      <div className="panes">
        <InboxPane me={state.operatorId} version={listVersion} selected={selected} onSelect={setSelected} />
        {selected ? (
          <ConversationPane dialogId={selected} version={dialogVersion} onError={showError} />
        ) : (
          <section className="conversation empty">{t("conversation.pick")}</section>
        )}
      </div>
    </div>
  );
}
