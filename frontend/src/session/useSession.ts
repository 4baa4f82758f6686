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
    session
      .state()
      .then((s) => live && setState(s))
      .catch(() => undefined)
      .finally(() => live && setLoaded(true));
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
