import {
  forwardRef,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useRef,
  useState,
  type ChangeEvent,
  type ClipboardEvent,
  type DragEvent,
  type FocusEvent,
  type KeyboardEvent,
} from "react";
import { useTranslation } from "react-i18next";
import { conversation, team } from "../api/wails";
import type { ApiError, Colleague, FileLimits, QuoteView } from "../api/types";
import { errorText } from "../i18n";
import { composerScope, shortcut, useHotkey } from "../hotkeys/hotkeys";
import { ActivityLine } from "./ActivityLine";
import { AddColleagues } from "./AddColleagues";
import { AttachmentList } from "./AttachmentList";
import { ChannelTemplateForm } from "./ChannelTemplateForm";
import { EmojiPicker } from "./EmojiPicker";
import { Quote } from "./Quote";
import { TemplatePicker, type TemplatePickerHandle } from "./TemplatePicker";
import { checkForChannel, useAttachments } from "./useAttachments";
import { VoiceButton, canRecord } from "./VoiceButton";

type Kind = "outbound" | "comment" | "note";

/** How long typing pauses before the draft is kept. */
const draftDelay = 400;

/** What the conversation may ask of its composer. */
export interface ComposerHandle {
  /** Starts a reply to a message: quoted above the text box, which takes the focus. */
  reply: (q: QuoteView) => void;
  /** Opens the channel template form (a channel that sends templates only). */
  sendTemplate: () => void;
}

/** The draft as kept in the replica; blank text and no reply is no draft. */
interface DraftState {
  dialogId: string;
  kind: Kind;
  text: string;
  replyToId: string;
}

function draftKey(d: DraftState): string {
  if (!d.text.trim() && !d.replyToId) return `${d.dialogId}:`;
  return JSON.stringify(d);
}

/** How often "I am typing" is repeated while keys are pressed (the others forget it after 6 s). */
const typingEvery = 2500;

interface Props {
  dialogId: string;
  /** Whether the operator may reply to the customer; otherwise only comments and notes. */
  canReply: boolean;
  colleagues: Colleague[];
  /** What the dialog's channel takes in a reply. */
  limits: FileLimits;
  /** The channel sends approved templates (WhatsApp): the composer offers one. */
  templates: boolean;
  onError: (e: ApiError) => void;
}

/** The open mention picker: the "@query" it replaces starts at `at`. */
interface Picker {
  at: number;
  query: string;
  index: number;
}

/**
 * The template query: what follows a "/" or "\" that starts the text, up
 * to the caret, on the first line; null when the text does not start so.
 */
function templateQuery(value: string, caret: number): string | null {
  if (value[0] !== "/" && value[0] !== "\\") return null;
  const q = value.slice(1, caret);
  return q.includes("\n") ? null : q;
}

/** What a colleague sent the customer while the operator was typing. */
interface Warning {
  names: string;
  text: string;
}

/** Errors about files are shown in the composer, next to the files. */
function isFileError(e: ApiError): boolean {
  return e.code.startsWith("message.attachment") || e.code.startsWith("file.") || e.code.startsWith("voice.");
}

/**
 * The message box of one dialog (the conversation mounts one per dialog).
 * What is typed is kept as the dialog's draft in the replica, so it comes
 * back after switching dialogs or restarting the app; sending clears it.
 */
export const Composer = forwardRef<ComposerHandle, Props>(function Composer({ dialogId, canReply, colleagues, limits, templates, onError }, ref) {
  const { t } = useTranslation();
  const [fileError, setFileError] = useState<ApiError | null>(null);
  const att = useAttachments(dialogId, setFileError);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const [text, setText] = useState("");
  const [kind, setKind] = useState<Kind>(canReply ? "outbound" : "comment");
  const [mentions, setMentions] = useState<Colleague[]>([]);
  const [picker, setPicker] = useState<Picker | null>(null);
  const [warning, setWarning] = useState<Warning | null>(null);
  const [adding, setAdding] = useState(false);
  const offerTemplates = templates && canReply;
  const [channelTpl, setChannelTpl] = useState(false);
  /** The template picker's query while it is open. */
  const [tplQuery, setTplQuery] = useState<string | null>(null);
  /** Esc closed the picker: it stays closed until the "/" is gone. */
  const tplDismissed = useRef(false);
  const tplPicker = useRef<TemplatePickerHandle>(null);
  const tplRoot = useRef<HTMLDivElement>(null);
  const [replyTo, setReplyTo] = useState<QuoteView | null>(null);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  /** The text box's selection, kept while the emoji picker has the focus. */
  const selection = useRef<[number, number] | null>(null);
  /** Where the caret goes once the text a pick or a shortcut set is on screen. */
  const caretAfter = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (caretAfter.current !== null && area.current) {
      area.current.setSelectionRange(caretAfter.current, caretAfter.current);
      caretAfter.current = null;
    }
  }, [text]);
  // When the current draft was started, for the "someone replied meanwhile" check.
  const startedAt = useRef(0);
  const lastTyping = useRef(0);

  const kinds: Kind[] = canReply ? ["outbound", "comment", "note"] : ["comment", "note"];
  // Taking the dialog makes a reply the default; losing it, a comment.
  useEffect(() => {
    setKind(canReply ? "outbound" : "comment");
  }, [canReply]);

  // Leaving the dialog says we stopped typing.
  useEffect(() => {
    return () => {
      if (lastTyping.current) team.setTyping(dialogId, false, false).catch(() => undefined);
      lastTyping.current = 0;
    };
  }, [dialogId]);

  // The draft: what was kept last (a key of it), the save waiting for a
  // pause in typing, and the save under way (a send waits for it).
  const saved = useRef(draftKey({ dialogId, kind, text: "", replyToId: "" }));
  const waiting = useRef<{ draft: DraftState; timer: number } | null>(null);
  const saving = useRef<Promise<void>>(Promise.resolve());
  const loaded = useRef(false);

  const saveNow = useCallback((d: DraftState) => {
    const key = draftKey(d);
    if (key === saved.current) return;
    saved.current = key;
    saving.current = conversation.saveDraft(d.dialogId, d.kind, d.text, d.replyToId).catch(() => undefined);
  }, []);

  const flushDraft = useCallback(() => {
    const w = waiting.current;
    if (!w) return;
    window.clearTimeout(w.timer);
    waiting.current = null;
    saveNow(w.draft);
  }, [saveNow]);

  // The dialog's draft comes back when it opens, unless typing began first.
  useEffect(() => {
    let live = true;
    conversation
      .draft(dialogId)
      .then((d) => {
        if (!live) return;
        loaded.current = true;
        if (!d.text && !d.replyTo) return;
        const k: Kind = d.kind === "" || (d.kind === "outbound" && !canReply) ? (canReply ? "outbound" : "comment") : d.kind;
        saved.current = draftKey({ dialogId, kind: k, text: d.text, replyToId: d.replyTo?.id ?? "" });
        setText((cur) => (cur === "" ? d.text : cur));
        setKind(k);
        setReplyTo((cur) => cur ?? d.replyTo);
        if (d.text.trim()) startedAt.current = Date.now();
      })
      .catch(() => {
        loaded.current = true;
      });
    return () => {
      live = false;
    };
    // canReply only picks the kind of a loaded draft; a later change must not reload it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dialogId]);

  // Every change is kept after a pause, and at once when the dialog closes.
  const replyId = replyTo?.id ?? "";
  useEffect(() => {
    if (!loaded.current) return;
    const draft = { dialogId, kind, text, replyToId: replyId };
    if (draftKey(draft) === saved.current) {
      if (waiting.current) window.clearTimeout(waiting.current.timer);
      waiting.current = null;
      return;
    }
    if (waiting.current) window.clearTimeout(waiting.current.timer);
    waiting.current = { draft, timer: window.setTimeout(flushDraft, draftDelay) };
  }, [dialogId, kind, text, replyId, flushDraft]);
  useEffect(() => flushDraft, [flushDraft]);

  useImperativeHandle(
    ref,
    () => ({
      reply: (q: QuoteView) => {
        loaded.current = true;
        setReplyTo(q);
        area.current?.focus();
      },
      sendTemplate: () => setChannelTpl(offerTemplates),
    }),
    [offerTemplates],
  );

  const selfTyping = text.trim() !== "" && kind !== "note";

  function announce(next: string, k: Kind) {
    const typing = next.trim() !== "" && k !== "note";
    const now = Date.now();
    if (typing && now - lastTyping.current > typingEvery) {
      lastTyping.current = now;
      // A reply's typing may show to the customer; a comment's never does.
      team.setTyping(dialogId, true, k === "outbound").catch(() => undefined);
    } else if (!typing && lastTyping.current) {
      lastTyping.current = 0;
      team.setTyping(dialogId, false, false).catch(() => undefined);
    }
  }

  function changeKind(k: Kind) {
    setKind(k);
    setPicker(null);
    announce(text, k);
  }

  const matches = picker
    ? colleagues.filter((c) => c.name.toLocaleLowerCase().includes(picker.query.toLocaleLowerCase())).slice(0, 8)
    : [];

  /** Opens the picker when the caret follows "@word" in a comment. */
  function findPicker(value: string, caret: number, k: Kind): Picker | null {
    if (k !== "comment") return null;
    const before = value.slice(0, caret);
    const m = /(^|\s)@([^\s@]*)$/.exec(before);
    if (!m) return null;
    return { at: caret - m[2].length - 1, query: m[2], index: 0 };
  }

  function onChange(e: ChangeEvent<HTMLTextAreaElement>) {
    const value = e.target.value;
    loaded.current = true;
    if (!startedAt.current && value.trim()) startedAt.current = Date.now();
    if (!value.trim()) startedAt.current = 0;
    setText(value);
    const caret = e.target.selectionStart ?? value.length;
    const q = templateQuery(value, caret);
    if (q === null) tplDismissed.current = false;
    setTplQuery(tplDismissed.current ? null : q);
    setPicker(q === null ? findPicker(value, caret, kind) : null);
    announce(value, kind);
  }

  function closeTemplates() {
    tplDismissed.current = true;
    setTplQuery(null);
    area.current?.focus();
  }

  /** Puts a picked template's text in place of the "/query" it was found by. */
  function pickTemplate(filled: string) {
    const end = 1 + (tplQuery ?? "").length;
    const next = filled + text.slice(end);
    if (!startedAt.current && next.trim()) startedAt.current = Date.now();
    setText(next);
    setTplQuery(null);
    caretAfter.current = filled.length;
    area.current?.focus();
    announce(next, kind);
  }

  /** Leaving the text box closes the pickers, unless for the template picker's own buttons and form. */
  function onBlur(e: FocusEvent<HTMLTextAreaElement>) {
    setPicker(null);
    if (!(e.relatedTarget instanceof Node && tplRoot.current?.contains(e.relatedTarget))) setTplQuery(null);
  }

  function pick(c: Colleague) {
    if (!picker) return;
    const end = picker.at + 1 + picker.query.length;
    const insert = `@${c.name} `;
    const next = text.slice(0, picker.at) + insert + text.slice(end);
    setText(next);
    setMentions((cur) => (cur.some((x) => x.id === c.id) ? cur : [...cur, c]));
    setPicker(null);
    // The caret goes after the mention in the same render as the text, so
    // a key typed right after picking lands there, not where it was.
    caretAfter.current = picker.at + insert.length;
    area.current?.focus();
  }

  /** Ctrl+Shift+A: switch to a comment and start a mention at the caret. */
  function startMention() {
    const el = area.current;
    const caret = el?.selectionStart ?? text.length;
    const needsSpace = caret > 0 && !/\s/.test(text[caret - 1]);
    const insert = (needsSpace ? " " : "") + "@";
    const next = text.slice(0, caret) + insert + text.slice(caret);
    setKind("comment");
    setText(next);
    setPicker({ at: caret + insert.length - 1, query: "", index: 0 });
    caretAfter.current = caret + insert.length;
    el?.focus();
  }

  function rememberSelection() {
    const el = area.current;
    if (el) selection.current = [el.selectionStart ?? text.length, el.selectionEnd ?? text.length];
  }

  /** Puts an emoji where the caret was (over the selection, if any). */
  function insertEmoji(char: string) {
    const [start, end] = selection.current ?? [text.length, text.length];
    const next = text.slice(0, start) + char + text.slice(end);
    if (!startedAt.current && next.trim()) startedAt.current = Date.now();
    loaded.current = true;
    setText(next);
    selection.current = [start + char.length, start + char.length];
    caretAfter.current = start + char.length;
    setEmojiOpen(false);
    area.current?.focus();
    announce(next, kind);
  }

  /**
   * Takes picked, dropped, pasted or recorded files. For a reply the
   * channel's limits are checked first: a file it would refuse is not
   * attached, and the message says which and why.
   */
  const addFiles = useCallback(
    (picked: File[]) => {
      if (picked.length === 0) return;
      setFileError(null);
      let count = att.list.length;
      att.add(picked, (f) => {
        if (kind !== "outbound") return null;
        const why = checkForChannel(limits, [f]) ?? (limits.maxCount > 0 && count + 1 > limits.maxCount ? checkForChannel(limits, Array(count + 1).fill(f)) : null);
        if (!why) count++;
        return why;
      });
    },
    [att, kind, limits],
  );

  function onDrop(e: DragEvent<HTMLDivElement>) {
    if (!e.dataTransfer.types.includes("Files")) return;
    e.preventDefault();
    setDragging(false);
    addFiles(Array.from(e.dataTransfer.files));
  }

  function onDragOver(e: DragEvent<HTMLDivElement>) {
    if (!e.dataTransfer.types.includes("Files")) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
    setDragging(true);
  }

  function onPaste(e: ClipboardEvent<HTMLTextAreaElement>) {
    const pasted = Array.from(e.clipboardData.files);
    if (pasted.length === 0) return; // text pastes as text
    e.preventDefault();
    addFiles(pasted);
  }

  async function send(force = false) {
    if (!text.trim() && att.list.length === 0) return;
    if (att.copying || att.list.some((f) => f.failed)) return;
    if (kind === "outbound") {
      // Checked again at send: the files may have been attached to a comment.
      const why = checkForChannel(limits, att.list);
      if (why) {
        setFileError(why);
        return;
      }
    }
    // The draft is what goes: no save of it may land after the send.
    if (waiting.current) window.clearTimeout(waiting.current.timer);
    waiting.current = null;
    await saving.current;
    try {
      if (kind === "outbound" && !force && startedAt.current) {
        const replies = await conversation.repliesSince(dialogId, startedAt.current);
        if (replies.length > 0) {
          const last = replies[replies.length - 1];
          setWarning({ names: [...new Set(replies.map((r) => r.authorName))].join(", "), text: last.text });
          return;
        }
      }
      const ids = kind === "comment" ? mentions.filter((m) => text.includes(`@${m.name}`)).map((m) => m.id) : [];
      if (att.ready.length > 0) {
        const list = att.ready.map((f) => ({ fileId: f.fileId!, name: f.name, mime: f.mime }));
        await conversation.sendWithFiles(dialogId, kind, text, ids, replyId, list);
      } else {
        await conversation.send(dialogId, kind, text, ids, replyId);
      }
      att.clear();
      setFileError(null);
      // The send cleared the kept draft in the same transaction.
      saved.current = draftKey({ dialogId, kind, text: "", replyToId: "" });
      setText("");
      setMentions([]);
      setWarning(null);
      setReplyTo(null);
      startedAt.current = 0;
      announce("", kind);
    } catch (err) {
      saved.current = "";
      flushDraft();
      const e = err as ApiError;
      if (isFileError(e)) setFileError(e);
      else onError(e);
    }
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (tplQuery !== null && tplPicker.current?.onKey(e)) return;
    if (picker && matches.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const d = e.key === "ArrowDown" ? 1 : -1;
        setPicker({ ...picker, index: (picker.index + d + matches.length) % matches.length });
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        pick(matches[Math.min(picker.index, matches.length - 1)]);
        return;
      }
    }
    if (picker && e.key === "Escape") {
      e.preventDefault();
      setPicker(null);
      return;
    }
    if (replyTo && e.key === "Escape") {
      e.preventDefault();
      setReplyTo(null);
      return;
    }
  }

  // Ctrl+Enter (⌘↩) sends from the composer; Ctrl+Shift+A starts a mention
  // from anywhere in the open dialog (the hotkey module has the keys).
  useHotkey("send", () => void send());
  useHotkey("mention", startMention);

  const placeholder =
    kind === "comment" ? t("conversation.placeholderComment") : kind === "note" ? t("conversation.placeholderNote") : t("conversation.placeholder");

  return (
    <div
      className={`composer composer-${kind}${dragging ? " dragging" : ""}`}
      data-testid="composer"
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      {...composerScope}
    >
      {dragging && <div className="drop-hint">{t("conversation.dropHere")}</div>}
      <ActivityLine dialogId={dialogId} selfTyping={selfTyping} />
      {warning && (
        <div className="collision-warning" role="alert" data-testid="collision-warning">
          <span>{t("conversation.repliedWhileTyping", { names: warning.names, text: warning.text })}</span>
          <button type="button" onClick={() => void send(true)} data-testid="collision-send">
            {t("conversation.sendAnyway")}
          </button>
          <button
            type="button"
            onClick={() => {
              setWarning(null);
              startedAt.current = Date.now();
            }}
          >
            {t("conversation.reviewFirst")}
          </button>
        </div>
      )}
      <div className="composer-kinds" role="radiogroup">
        {kinds.map((k) => (
          <button
            key={k}
            type="button"
            role="radio"
            aria-checked={kind === k}
            className={kind === k ? "active" : ""}
            onClick={() => changeKind(k)}
            data-testid={`composer-kind-${k}`}
          >
            {t(k === "outbound" ? "conversation.kindOutbound" : k === "comment" ? "conversation.kindComment" : "conversation.kindNote")}
          </button>
        ))}
        <button type="button" className="add-colleague" onClick={() => setAdding((a) => !a)} data-testid="add-colleague">
          {t("conversation.addColleague")}
        </button>
        {offerTemplates && (
          <button type="button" className="add-colleague" onClick={() => setChannelTpl((o) => !o)} aria-expanded={channelTpl} data-testid="channel-template-open">
            {t("channelTemplate.open")}
          </button>
        )}
      </div>
      {!canReply && <p className="hint">{t("conversation.commentOnlyHint")}</p>}
      {channelTpl && offerTemplates && <ChannelTemplateForm dialogId={dialogId} onDone={() => setChannelTpl(false)} />}
      {adding && <AddColleagues dialogId={dialogId} colleagues={colleagues} onDone={() => setAdding(false)} onError={onError} />}
      {replyTo && (
        <div className="composer-reply" data-testid="composer-reply">
          <Quote q={replyTo} label={t("compose.replyingTo")} />
          <button
            type="button"
            className="link"
            onClick={() => setReplyTo(null)}
            aria-label={t("compose.cancelReply")}
            title={t("compose.cancelReply")}
            data-testid="composer-reply-cancel"
          >
            ×
          </button>
        </div>
      )}
      <div className="composer-input">
        {tplQuery !== null && (
          <div ref={tplRoot}>
            <TemplatePicker
              ref={tplPicker}
              dialogId={dialogId}
              query={tplQuery}
              onPick={pickTemplate}
              onClose={closeTemplates}
              onFormDone={() => area.current?.focus()}
              onError={onError}
            />
          </div>
        )}
        {emojiOpen && <EmojiPicker onPick={insertEmoji} onClose={() => setEmojiOpen(false)} />}
        {picker && (
          <ul className="mention-picker" role="listbox" aria-label={t("conversation.mentionPicker")} data-testid="mention-picker">
            {matches.length === 0 ? (
              <li className="muted">{t("conversation.noColleagues")}</li>
            ) : (
              matches.map((c, i) => (
                <li
                  key={c.id}
                  role="option"
                  aria-selected={i === picker.index}
                  className={i === picker.index ? "active" : ""}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    pick(c);
                  }}
                  data-testid="mention-option"
                >
                  <span className={`presence ${c.online ? "on" : "off"}`} />
                  {c.name}
                </li>
              ))
            )}
          </ul>
        )}
        <textarea
          ref={area}
          value={text}
          onChange={onChange}
          onKeyDown={onKey}
          onSelect={rememberSelection}
          onPaste={onPaste}
          onBlur={(e) => {
            rememberSelection();
            onBlur(e);
          }}
          placeholder={placeholder}
          data-testid="composer-text"
          rows={3}
        />
      </div>
      <AttachmentList list={att.list} progress={att.progress} onRemove={att.remove} onRetry={att.retry} />
      {fileError && (
        <p className="file-error" role="alert" data-testid="attach-error">
          {errorText(fileError)}
        </p>
      )}
      <div className="composer-actions">
        <span className="composer-tools">
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            data-testid="attach-input"
            onChange={(e) => {
              addFiles(Array.from(e.target.files ?? []));
              e.target.value = "";
            }}
          />
          <button type="button" className="attach" onClick={() => fileInput.current?.click()} aria-label={t("conversation.attach")} title={t("conversation.attach")} data-testid="attach-button">
            📎
          </button>
          {canRecord() && (kind !== "outbound" || limits.audio) && <VoiceButton onRecorded={(f) => addFiles([f])} onError={setFileError} />}
          <button
            type="button"
            className="emoji-button"
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => {
              rememberSelection();
              setEmojiOpen((o) => !o);
            }}
            aria-label={t("compose.emoji")}
            title={t("compose.emoji")}
            aria-expanded={emojiOpen}
            data-testid="emoji-button"
          >
            🙂
          </button>
          <span className="hint">
            {t("conversation.sendHint", { keys: shortcut("send") })}
            {kind !== "note" && ` · ${t("conversation.mentionHint", { keys: shortcut("mention") })}`}
            {` · ${t("templates.hint")}`}
          </span>
        </span>
        <button type="button" onClick={() => void send()} disabled={att.copying || att.list.some((f) => f.failed)} data-testid="composer-send">
          {t("conversation.send")}
        </button>
      </div>
    </div>
  );
});
