import { useEffect, useSyncExternalStore } from "react";
import { preferences as api } from "../api/wails";
import type { Preferences } from "../api/types";

// The operator's preferences, read once from the backend and shared by
// every component that asks (the settings menu writes, the conversation reads).

let current: Preferences = { readOn: "open", hostChannels: false };
let loaded: Promise<void> | null = null;
const listeners = new Set<() => void>();

function publish(p: Preferences) {
  current = p;
  listeners.forEach((l) => l());
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** The preferences (the defaults until the backend answered) and a setter that stores them. */
export function usePreferences(): [Preferences, (p: Preferences) => Promise<void>] {
  const prefs = useSyncExternalStore(subscribe, () => current);
  useEffect(() => {
    loaded ??= api
      .get()
      .then(publish)
      .catch(() => {
        loaded = null; // signed out or not started yet: ask again next time
      });
  }, []);
  // Shown at once (a radio the operator clicked must not spring back while
  // the backend stores it); what the backend kept, or the old value if it
  // refused, follows.
  const set = async (p: Preferences) => {
    const before = current;
    publish(p);
    try {
      publish(await api.set(p));
    } catch (e) {
      publish(before);
      throw e;
    }
  };
  return [prefs, set];
}
