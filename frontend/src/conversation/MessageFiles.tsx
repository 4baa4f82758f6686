import { useTranslation } from "react-i18next";
import { files } from "../api/wails";
import type { ApiError, AttachmentView } from "../api/types";
import { formatBytes } from "../components/format";

/**
 * A message's files: images as thumbnails, sound as a player, anything else
 * as a button that saves it. Names come from customers and are shown as
 * text only; the window's /files/ handler serves the bytes it checked.
 */
export function MessageFiles({ list, onError }: { list: AttachmentView[]; onError?: (e: ApiError) => void }) {
  const { t } = useTranslation();
  if (list.length === 0) return null;
  const save = (a: AttachmentView) => files.save(a.fileId, a.name).catch((e: ApiError) => onError?.(e));
  return (
    <div className="message-files" data-testid="message-files">
      {list.map((a) => (
        <div key={a.id} className="message-file" data-testid="message-file" data-file-id={a.fileId}>
          {a.image && <img className="file-thumb" src={a.url} alt={a.name} loading="lazy" data-testid="file-thumb" />}
          {a.audio && <audio controls preload="none" src={a.url} data-testid="file-audio" />}
          <button type="button" className="file-link" onClick={() => void save(a)} title={t("conversation.saveFile", { name: a.name })} data-testid="file-link">
            <span className="file-name">{a.name}</span> <span className="muted">{formatBytes(a.size)}</span>
          </button>
        </div>
      ))}
    </div>
  );
}
