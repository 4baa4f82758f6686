import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { ApiError } from "../api/types";

/** Whether this webview can record sound (WebKitGTK may lack MediaRecorder or the microphone). */
export function canRecord(): boolean {
  return typeof window.MediaRecorder !== "undefined" && !!navigator.mediaDevices?.getUserMedia;
}

/** The file extension of a recorder's type: audio/webm;codecs=opus -> webm. */
function extension(mime: string): string {
  const sub = mime.split(";")[0].split("/")[1] ?? "webm";
  return sub === "mpeg" ? "mp3" : sub;
}

/** Records a voice message with the webview's MediaRecorder and hands it over as a file. */
export function VoiceButton({ onRecorded, onError }: { onRecorded: (f: File) => void; onError: (e: ApiError) => void }) {
  const { t } = useTranslation();
  const [since, setSince] = useState(0);
  const [now, setNow] = useState(0);
  const rec = useRef<MediaRecorder | null>(null);

  useEffect(() => {
    if (!since) return;
    const id = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(id);
  }, [since]);
  // Leaving the dialog mid-recording stops the microphone.
  useEffect(() => () => rec.current?.stream.getTracks().forEach((tr) => tr.stop()), []);

  async function start() {
    try {
      // A webview without a microphone (or without a way to ask for it)
      // may never answer; say so rather than wait forever.
      const ask = navigator.mediaDevices.getUserMedia({ audio: true });
      let late = false;
      ask.then((s) => late && s.getTracks().forEach((tr) => tr.stop())).catch(() => undefined);
      const stream = await Promise.race([
        ask,
        new Promise<never>((_, reject) =>
          setTimeout(() => {
            late = true;
            reject(new Error(t("conversation.voiceNoAnswer")));
          }, 15000),
        ),
      ]);
      const r = new MediaRecorder(stream);
      const chunks: Blob[] = [];
      r.ondataavailable = (e) => e.data.size > 0 && chunks.push(e.data);
      r.onstop = () => {
        stream.getTracks().forEach((tr) => tr.stop());
        const type = r.mimeType || "audio/webm";
        const stamp = new Date().toISOString().slice(0, 19).replace(/[T:]/g, "-");
        const name = `${t("conversation.voiceName", { time: stamp })}.${extension(type)}`;
        onRecorded(new File(chunks, name, { type: type.split(";")[0] }));
      };
      rec.current = r;
      r.start(250);
      setSince(Date.now());
      setNow(Date.now());
    } catch (err) {
      onError({ code: "voice.unavailable", args: { reason: err instanceof Error ? err.message : String(err) } });
    }
  }

  function stop() {
    rec.current?.stop();
    rec.current = null;
    setSince(0);
  }

  const seconds = Math.max(0, Math.round((now - since) / 1000));
  return since ? (
    <button type="button" className="voice recording" onClick={stop} data-testid="voice-stop">
      ■ {t("conversation.voiceStop", { seconds })}
    </button>
  ) : (
    <button type="button" className="voice" onClick={() => void start()} aria-label={t("conversation.voice")} title={t("conversation.voice")} data-testid="voice-record">
      🎤
    </button>
  );
}
