import { useSyncExternalStore } from "react";

// Whether the client card is shown beside the conversation, remembered on
// this machine. The conversation header's button toggles it; hotkeys
// (Ctrl+Shift+S to open, Esc to close) call clientCard.open/close.

const openKey = "switchboard.clientCard.open";
const listeners = new Set<() => void>();

function read(): boolean {
  return localStorage.getItem(openKey) !== "0";
}

function write(open: boolean) {
  localStorage.setItem(openKey, open ? "1" : "0");
  listeners.forEach((l) => l());
}

export const clientCard = {
  open: () => write(true),
  close: () => write(false),
  toggle: () => write(!read()),
  isOpen: read,
};

function subscribe(l: () => void) {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}

/** Re-renders when the card opens or closes. */
export function useClientCardOpen(): boolean {
  return useSyncExternalStore(subscribe, read);
}
