import { useCallback, useEffect, useRef, useState } from "react";
import { files as filesApi, onEvent } from "../api/wails";
import type { ApiError, FileLimits, FileProgress } from "../api/types";

/** One file in the composer: copied into the app, then uploading on its own. */
export interface PendingFile {
  key: string;
  name: string;
  mime: string;
  size: number;
  /** Bytes copied into the app so far. */
  copied: number;
  /** Set once the copy is complete. */
  fileId?: string;
  failed?: ApiError;
}

/** How much of a file goes to the app in one call (base64 makes it a third larger). */
const pieceBytes = 256 * 1024;

function base64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Whether a MIME type matches a channel's list ("image/*" patterns; empty takes any). */
export function acceptsType(limits: FileLimits, mime: string): boolean {
  if (!limits.accepts) return false;
  if (limits.types.length === 0) return true;
  const t = (mime.split(";")[0] || "application/octet-stream").trim().toLowerCase();
  return limits.types.some((p) => {
    const q = p.trim().toLowerCase();
    return q === t || q === "*/*" || (q.endsWith("/*") && t.startsWith(q.slice(0, -1)));
  });
}

/**
 * Checks files for a reply against the channel's limits, as the server's
 * rules do: the first file it would refuse, as an error naming the file
 * and the limit; null when all may go.
 */
export function checkForChannel(limits: FileLimits, list: { name: string; mime: string; size: number }[]): ApiError | null {
  if (list.length === 0) return null;
  if (!limits.accepts) return { code: "message.attachments_unsupported" };
  if (limits.maxCount > 0 && list.length > limits.maxCount) return { code: "message.attachments_count", args: { max: String(limits.maxCount) } };
  for (const f of list) {
    if (limits.maxBytes > 0 && f.size > limits.maxBytes) {
      return { code: "message.attachment_too_large", args: { name: f.name, size: String(f.size), max: String(limits.maxBytes) } };
    }
    if (!acceptsType(limits, f.mime)) {
      return { code: "message.attachment_type", args: { name: f.name, type: f.mime || "application/octet-stream" } };
    }
  }
  return null;
}

/**
 * The composer's files: each is copied into the app's data folder at once
 * (so nothing is lost if the app closes before the upload ends), then
 * uploads on its own; progress comes by the file's id.
 */
export function useAttachments(dialogId: string, onError: (e: ApiError) => void) {
  const [list, setList] = useState<PendingFile[]>([]);
  const [progress, setProgress] = useState<Record<string, FileProgress>>({});
  const live = useRef(true);
  const seq = useRef(0);

  useEffect(() => {
    live.current = true;
    const off = onEvent("files:progress", (p) => setProgress((cur) => ({ ...cur, [p.fileId]: p })));
    return () => {
      live.current = false;
      off();
    };
  }, []);

  // A new dialog starts with no files.
  useEffect(() => setList([]), [dialogId]);

  const update = (key: string, change: Partial<PendingFile>) =>
    setList((cur) => cur.map((f) => (f.key === key ? { ...f, ...change } : f)));

  const copyIn = useCallback(
    async (key: string, file: File) => {
      let stage = "";
      try {
        const mime = file.type || "application/octet-stream";
        stage = await filesApi.begin(file.name, mime, file.size);
        for (let off = 0; off < file.size; off += pieceBytes) {
          const piece = await file.slice(off, off + pieceBytes).arrayBuffer();
          await filesApi.append(stage, base64(piece));
          if (live.current) update(key, { copied: Math.min(file.size, off + pieceBytes) });
        }
        const staged = await filesApi.finish(stage);
        if (!live.current) return;
        setList((cur) =>
          cur.some((f) => f.fileId === staged.fileId && f.key !== key)
            ? cur.filter((f) => f.key !== key) // the same file twice: once is enough
            : cur.map((f) => (f.key === key ? { ...f, copied: file.size, fileId: staged.fileId, mime: staged.mime } : f)),
        );
      } catch (err) {
        if (stage) filesApi.cancel(stage).catch(() => undefined);
        if (live.current) update(key, { failed: err as ApiError });
        onError(err as ApiError);
      }
    },
    [onError],
  );

  /** Adds files; refuse, when set, turns away those that may not go and says why. */
  const add = useCallback(
    (picked: File[], refuse?: (f: { name: string; mime: string; size: number }) => ApiError | null) => {
      for (const file of picked) {
        const info = { name: file.name || "file", mime: file.type || "application/octet-stream", size: file.size };
        const why = refuse?.(info);
        if (why) {
          onError(why);
          continue;
        }
        const key = `f${++seq.current}`;
        setList((cur) => [...cur, { key, ...info, copied: 0 }]);
        void copyIn(key, file);
      }
    },
    [copyIn, onError],
  );

  const remove = useCallback((key: string) => setList((cur) => cur.filter((f) => f.key !== key)), []);
  const clear = useCallback(() => setList([]), []);
  const retry = useCallback((fileId: string) => {
    filesApi.upload(fileId).catch(() => undefined);
  }, []);

  const copying = list.some((f) => !f.fileId && !f.failed);
  const ready = list.filter((f) => f.fileId);
  return { list, progress, add, remove, clear, retry, copying, ready };
}
