// The one place keyboard shortcuts live: which keys do what, the single
// keydown listener, and how the keys are written for people (⌘ on macOS).
// Components say what an action does with useHotkey; they never read keys.
import { useEffect, useRef } from "react";

export type HotkeyId = "send" | "markRead" | "prevDialog" | "nextDialog" | "clientCard" | "close" | "mention" | "help";

interface Binding {
  id: HotkeyId;
  /** Ctrl, or ⌘ on macOS (either is taken everywhere). */
  mod?: boolean;
  shift?: boolean;
  /** A letter by its place on the keyboard (KeyboardEvent.code), so Ctrl+Shift+S works in a Cyrillic layout too. */
  code?: string;
  /** Any other key by what it types (KeyboardEvent.key). */
  key?: string;
  /** "composer": only while typing in the composer; "page": only outside text fields; otherwise anywhere. */
  where?: "composer" | "page";
}

/** Every shortcut, in the order the `?` sheet lists them. */
export const hotkeys: readonly Binding[] = [
  { id: "send", mod: true, key: "Enter", where: "composer" },
  { id: "markRead", shift: true, key: "Enter" },
  { id: "prevDialog", mod: true, shift: true, key: "ArrowUp" },
  { id: "nextDialog", mod: true, shift: true, key: "ArrowDown" },
  { id: "clientCard", mod: true, shift: true, code: "KeyS" },
  { id: "close", key: "Escape" },
  { id: "mention", mod: true, shift: true, code: "KeyA" },
  { id: "help", key: "?", where: "page" },
];

/** Marks the composer's box: "composer" shortcuts work inside it. */
export const composerScope = { "data-hotkey-scope": "composer" } as const;

export const isMac = /Mac|iPhone|iPad/.test(navigator.userAgent) || /^Mac/.test(navigator.platform ?? "");

const keyNames: Record<string, [mac: string, other: string]> = {
  Enter: ["↩", "Enter"],
  ArrowUp: ["↑", "↑"],
  ArrowDown: ["↓", "↓"],
  Escape: ["Esc", "Esc"],
};

/** The keys of a shortcut as written on them: ["Ctrl", "Shift", "S"], or ["⌘", "⇧", "S"] on macOS. */
export function keysOf(id: HotkeyId): string[] {
  const b = hotkeys.find((h) => h.id === id);
  if (!b) return [];
  const out: string[] = [];
  if (b.mod) out.push(isMac ? "⌘" : "Ctrl");
  if (b.shift) out.push(isMac ? "⇧" : "Shift");
  const key = b.code ? b.code.replace(/^Key/, "") : (b.key ?? "");
  out.push(keyNames[key]?.[isMac ? 0 : 1] ?? key);
  return out;
}

/** A shortcut as one string for hints: "Ctrl+Enter", or "⌘↩" on macOS. */
export function shortcut(id: HotkeyId): string {
  return keysOf(id).join(isMac ? "" : "+");
}

function matches(b: Binding, e: KeyboardEvent): boolean {
  const mod = e.ctrlKey || e.metaKey;
  if (e.altKey) return false;
  // "?" needs Shift on most layouts and another key on some: the character decides.
  if (b.key === "?") return e.key === "?" && !mod;
  if (!!b.mod !== mod || !!b.shift !== e.shiftKey) return false;
  return b.code ? e.code === b.code : e.key === b.key;
}

function inTextField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  if (el.tagName !== "INPUT") return false;
  const type = (el as HTMLInputElement).type;
  return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(type);
}

function applies(b: Binding, e: KeyboardEvent): boolean {
  if (b.where === "page") return !inTextField(e.target);
  if (b.where === "composer") return !!(e.target as HTMLElement | null)?.closest?.("[data-hotkey-scope=composer]");
  return true;
}

/** The handlers registered per shortcut; the last registered answers (an overlay opened later comes first). */
const handlers = new Map<HotkeyId, Array<() => boolean | void>>();
let listening = false;

function onKeyDown(e: KeyboardEvent) {
  // A field that handled the key itself (the mention picker's Enter) wins.
  if (e.defaultPrevented || e.isComposing) return;
  for (const b of hotkeys) {
    if (!matches(b, e) || !applies(b, e)) continue;
    const list = handlers.get(b.id);
    if (!list?.length) continue;
    if (e.repeat && (b.id === "send" || b.id === "markRead")) {
      e.preventDefault();
      return;
    }
    if (list[list.length - 1]() === false) continue;
    e.preventDefault();
    e.stopPropagation();
    return;
  }
}

/**
 * Runs handler when the shortcut id is pressed, while the component is
 * mounted and handler is not null. A handler that returns false lets the
 * key through (nothing to do here).
 */
export function useHotkey(id: HotkeyId, handler: (() => boolean | void) | null) {
  const ref = useRef(handler);
  ref.current = handler;
  const active = handler !== null;
  useEffect(() => {
    if (!active) return;
    const h = () => ref.current?.();
    const list = handlers.get(id) ?? [];
    list.push(h);
    handlers.set(id, list);
    if (!listening) {
      window.addEventListener("keydown", onKeyDown);
      listening = true;
    }
    return () => {
      const cur = handlers.get(id) ?? [];
      handlers.set(
        id,
        cur.filter((x) => x !== h),
      );
    };
  }, [id, active]);
}
