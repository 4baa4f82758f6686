import { useCallback, useSyncExternalStore } from "react";

// Which of the card's sections the operator folded, remembered on this
// machine: they stay folded from client to client and across restarts.

const foldedKey = "switchboard.clientCard.folded";
const listeners = new Set<() => void>();
let cache: { raw: string | null; set: Set<string> } = { raw: null, set: new Set() };

function folded(): Set<string> {
  const raw = localStorage.getItem(foldedKey);
  if (raw !== cache.raw) {
    let ids: string[] = [];
    try {
      const parsed: unknown = JSON.parse(raw ?? "[]");
      if (Array.isArray(parsed)) ids = parsed.filter((x): x is string => typeof x === "string");
    } catch {
      // a damaged value folds nothing
    }
    cache = { raw, set: new Set(ids) };
  }
  return cache.set;
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}

/** Whether section id is folded, and the function that flips it. */
export function useFolded(id: string): [boolean, () => void] {
  const isFolded = useSyncExternalStore(subscribe, () => folded().has(id));
  const toggle = useCallback(() => {
    const next = new Set(folded());
    if (next.has(id)) next.delete(id);
    else next.add(id);
    localStorage.setItem(foldedKey, JSON.stringify([...next]));
    listeners.forEach((l) => l());
  }, [id]);
  return [isFolded, toggle];
}
