import { useEffect, useState } from "react";
import { onEvent, session } from "../api/wails";
import type { SessionState, SyncProgress } from "../api/types";

const initial: SessionState = { status: "signed_out", server: "", operatorId: "", operatorName: "", managesDialogs: false };

/** The session state, kept current by the session:state and sync:progress events. */
export function useSession() {
  const [state, setState] = useState<SessionState>(initial);
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    let live = true;
    // The first read can fail while the Go side is still starting (the
    // bindings not injected yet); retry rather than show the sign-in form
    // with the blank initial state (an empty server address).
    const read = (attempt: number) => {
      session
        .state()
        .then((s) => {
          if (!live) return;
          setState(s);
          setLoaded(true);
        })
        .catch(() => {
          if (!live) return;
          if (attempt < 8) setTimeout(() => read(attempt + 1), 250);
          else setLoaded(true);
        });
    };
    read(0);
    const offState = onEvent("session:state", setState);
    const offProgress = onEvent("sync:progress", setProgress);
    return () => {
      live = false;
      offState();
      offProgress();
    };
  }, []);

  return { state, setState, progress, loaded };
}
