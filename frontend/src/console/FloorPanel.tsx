import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { supervisor, type FloorView } from "../api/console";
import type { ApiError } from "../api/types";
import { formatDuration } from "./format";

/** The live floor: each line's queue and each operator's load, re-read from the replica on every change. */
export function FloorPanel({ version, onError }: { version: number; onError: (e: ApiError) => void }) {
  const { t } = useTranslation();
  const [floor, setFloor] = useState<FloorView | null>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    supervisor.floor().then(setFloor).catch(onError);
  }, [version, onError]);
  // Waiting times grow without any change: tick.
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(id);
  }, []);

  if (!floor) return null;
  return (
    <div className="floor" data-testid="floor">
      <table className="grid">
        <caption>{t("console.floor.lines")}</caption>
        <thead>
          <tr>
            <th>{t("console.columns.line")}</th>
            <th>{t("console.floor.queue")}</th>
            <th>{t("console.floor.oldest")}</th>
            <th>{t("console.floor.inProgress")}</th>
          </tr>
        </thead>
        <tbody>
          {floor.lines.map((l) => (
            <tr key={l.id} data-testid="floor-line" data-line-id={l.id}>
              <td>{l.name}</td>
              <td className="num">{l.unassigned}</td>
              <td className="num">{l.oldestQueuedAt ? formatDuration(Math.max(0, now - l.oldestQueuedAt)) : ""}</td>
              <td className="num">{l.inProgress}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="grid">
        <caption>{t("console.floor.operators")}</caption>
        <thead>
          <tr>
            <th>{t("console.columns.operator")}</th>
            <th>{t("console.floor.inProgress")}</th>
            <th>{t("console.floor.snoozed")}</th>
            <th>{t("console.floor.capacity")}</th>
          </tr>
        </thead>
        <tbody>
          {floor.operators.map((o) => (
            <tr key={o.id} data-testid="floor-operator">
              <td>
                <span className={`presence ${o.online ? "on" : "off"}`} title={t(o.online ? "console.floor.online" : "console.floor.offline")} /> {o.name}
              </td>
              <td className="num">{o.inProgress}</td>
              <td className="num">{o.snoozed}</td>
              <td className="num">{o.capacity || t("console.floor.byHand")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
