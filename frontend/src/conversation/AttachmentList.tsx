import { useTranslation } from "react-i18next";
import type { FileProgress } from "../api/types";
import { formatBytes } from "../components/format";
import type { PendingFile } from "./useAttachments";

interface Props {
  list: PendingFile[];
  progress: Record<string, FileProgress>;
  onRemove: (key: string) => void;
  onRetry: (fileId: string) => void;
}

/** The composer's files, each with its progress: copied into the app, then uploaded. */
export function AttachmentList({ list, progress, onRemove, onRetry }: Props) {
  const { t } = useTranslation();
  if (list.length === 0) return null;
  return (
    <ul className="pending-files" aria-label={t("conversation.attachments")} data-testid="pending-files">
      {list.map((f) => {
        const p = f.fileId ? progress[f.fileId] : undefined;
        let label: string;
        let value: number;
        let state: string;
        if (f.failed) {
          [label, value, state] = [t("conversation.fileFailed"), 0, "failed"];
        } else if (!f.fileId) {
          value = f.size ? f.copied / f.size : 1;
          [label, state] = [t("conversation.fileCopying", { percent: Math.floor(value * 100) }), "copying"];
        } else if (p?.state === "done") {
          [label, value, state] = [t("conversation.fileUploaded"), 1, "uploaded"];
        } else if (p?.state === "failed") {
          [label, value, state] = [t("conversation.fileFailed"), p.total ? p.sent / p.total : 0, "failed"];
        } else if (p?.state === "uploading") {
          value = p.total ? p.sent / p.total : 0;
          [label, state] = [t("conversation.fileUploading", { percent: Math.floor(value * 100) }), "uploading"];
        } else {
          [label, value, state] = [t("conversation.fileWaiting"), 0, "waiting"];
        }
        return (
          <li key={f.key} className={`pending-file pending-${state}`} data-testid="pending-file" data-state={state} data-file-id={f.fileId ?? ""}>
            {/* The name is the operator's file's: shown as text. */}
            <span className="pending-name">{f.name}</span>
            <span className="muted">{formatBytes(f.size)}</span>
            <progress max={1} value={value} aria-label={label} data-testid="file-progress" />
            <span className="pending-state">{label}</span>
            {state === "failed" && f.fileId && (
              <button type="button" onClick={() => onRetry(f.fileId!)}>
                {t("conversation.retryUpload")}
              </button>
            )}
            <button type="button" className="pending-remove" aria-label={t("conversation.removeFile", { name: f.name })} onClick={() => onRemove(f.key)}>
              ×
            </button>
          </li>
        );
      })}
    </ul>
  );
}
