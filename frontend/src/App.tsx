import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { onEvent, session, setWindowTitle, team } from "./api/wails";
import type { ApiError, Counters } from "./api/types";
import { errorText, knowsError } from "./i18n";
import { useSession } from "./session/useSession";
import { LoginScreen } from "./session/LoginScreen";
import { ConnectionBanner } from "./session/ConnectionBanner";
import { LanguagePicker } from "./session/LanguagePicker";
import { InboxPane } from "./inbox/InboxPane";
import { ConversationPane } from "./conversation/ConversationPane";
import { SearchBox, type SearchFocus } from "./search/SearchBox";
import { HotkeySheet } from "./hotkeys/HotkeySheet";
import { useHotkey } from "./hotkeys/hotkeys";
import { AlertSettingsMenu, useViewingReport } from "./alerts/AlertSettingsMenu";
import { inbox } from "./api/wails";
import { NotificationCentre } from "./notices/NotificationCentre";
import { supervisor, type ConsoleAccess } from "./api/console";
import { ConsoleScreen } from "./console/ConsoleScreen";

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
  const [counters, setCounters] = useState<Counters | null>(null);
  const [noticesVersion, setNoticesVersion] = useState(0);
  const [orgVersion, setOrgVersion] = useState(0);
  const [access, setAccess] = useState<ConsoleAccess | null>(null);
  const [view, setView] = useState<"inbox" | "console">("inbox");
  // The message a search hit opened the dialog at; none when opened otherwise.
  const [focus, setFocus] = useState<SearchFocus | null>(null);
  const [shortcuts, setShortcuts] = useState(false);
  useHotkey("help", state.operatorId ? () => setShortcuts(true) : null);

  // The one subscription to data events; re-reads are cheap replica queries.
  useEffect(() => {
    const offChanged = onEvent("inbox:changed", (ev) => {
      setListVersion((v) => v + 1);
      if (ev.org) setOrgVersion((v) => v + 1);
      const cur = selectedRef.current;
      // A client change (a rename, a task, a note) may be the open card's.
      if (cur && (ev.org || ev.clients || ev.dialogIds.includes(cur))) setDialogVersion((v) => v + 1);
    });
    const offRejected = onEvent("command:rejected", (ev) => {
      // Our own words when the code has them (a file's refusal names the file and the limit).
      const reason = knowsError(ev.code) ? errorText({ code: ev.code, args: ev.args }) : ev.message || errorText({ code: ev.code });
      setNotice(t("errors.rejected", { reason }));
    });
    const offNotices = onEvent("notices:changed", () => setNoticesVersion((v) => v + 1));
    return () => {
      offChanged();
      offRejected();
      offNotices();
    };
  }, [t]);

  useEffect(() => {
    if (!state.operatorId) {
      setCounters(null);
      return;
    }
    inbox
      .counters()
      .then(setCounters)
      .catch(() => undefined);
  }, [state.operatorId, listVersion, noticesVersion]);

  // The window title carries the total, as the taskbar shows it.
  const total = counters?.total ?? 0;
  useEffect(() => {
    const name = t("app.title");
    setWindowTitle(total > 0 ? `(${total}) ${name}` : name);
  }, [total, t]);

  // Colleagues see which dialog is open here; opening one reads its notices.
  useEffect(() => {
    if (state.operatorId) team.setOpen(selected).catch(() => undefined);
  }, [selected, state.operatorId]);

  // What the console may show follows the role, which an admin may change.
  // Whoever signs in next sees nothing of the previous person's access
  // until their own arrives, and an answer for someone else is dropped.
  useEffect(() => setAccess(null), [state.operatorId]);
  useEffect(() => {
    if (!state.operatorId) return;
    let current = true;
    supervisor
      .access()
      .then((a) => current && setAccess(a))
      .catch(() => current && setAccess(null));
    return () => {
      current = false;
    };
  }, [state.operatorId, orgVersion]);
  // Whoever signs in next starts in the inbox, not in the console the
  // previous person left open.
  useEffect(() => setView("inbox"), [state.operatorId]);
  const hasConsole = !!access && (access.table || access.reports || access.users || access.lines || access.channels);
  const openDialog = useCallback((id: string) => {
    setSelected(id);
    setFocus(null);
    setView("inbox");
  }, []);
  const openSearchHit = useCallback((id: string, at?: SearchFocus) => {
    setSelected(id);
    setFocus(at ?? null);
    setView("inbox");
  }, []);

  const showError = useCallback((e: ApiError) => setNotice(errorText(e)), []);
  useViewingReport(state.operatorId ? selected : "");

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
          {t("session.inProgress", { count: counters?.tabs.mine ?? 0 })}
        </span>
        <span className="total-count" data-testid="total-count" hidden={total === 0}>
          {total}
        </span>
        <SearchBox onOpen={openSearchHit} />
        <span className="me">{state.operatorName}</span>
        <NotificationCentre unread={counters?.notices ?? 0} version={noticesVersion} onOpenDialog={openDialog} onError={showError} />
        {hasConsole && (
          <button type="button" onClick={() => setView((v) => (v === "console" ? "inbox" : "console"))} data-testid="open-console">
            {view === "console" ? t("console.back") : t("console.open")}
          </button>
        )}
        <AlertSettingsMenu onError={showError} />
        <button type="button" onClick={() => setShortcuts(true)} title={t("hotkeys.button")} aria-label={t("hotkeys.button")} data-testid="open-shortcuts">
          ?
        </button>
        <LanguagePicker />
        <button type="button" onClick={() => session.logout().catch(showError)}>
          {t("session.signOut")}
        </button>
      </header>
      <ConnectionBanner state={state} progress={progress} />
      {shortcuts && <HotkeySheet onClose={() => setShortcuts(false)} />}
      {notice && (
        <div className="notice" role="alert" onClick={() => setNotice("")} data-testid="notice">
          {notice}
        </div>
      )}
      {view === "console" && hasConsole && access ? (
        <ConsoleScreen access={access} version={listVersion} orgVersion={orgVersion} onOpenDialog={openDialog} onError={showError} />
      ) : (
      <div className="panes">
        <InboxPane me={state.operatorId} version={listVersion} counters={counters} selected={selected} onSelect={openDialog} onError={showError} />
        {selected ? (
          <ConversationPane dialogId={selected} me={state.operatorId} version={dialogVersion} focus={focus} onOpenDialog={openDialog} onError={showError} />
        ) : (
          <section className="conversation empty">{t("conversation.pick")}</section>
        )}
      </div>
      )}
    </div>
  );
}
