import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { ConsoleAccess } from "../api/console";
import type { ApiError } from "../api/types";
import { AdminPanel } from "../admin/AdminPanel";
import { DialogTable } from "./DialogTable";
import { FloorPanel } from "./FloorPanel";
import { ReportsPanel } from "./ReportsPanel";

type Part = "dialogs" | "floor" | "reports" | "admin";

interface Props {
  access: ConsoleAccess;
  /** Bumped on every inbox:changed event: the replica moved. */
  version: number;
  /** Bumped when the workspace's structure changed. */
  orgVersion: number;
  onOpenDialog: (id: string) => void;
  onError: (e: ApiError) => void;
}

/** The supervisor's console: the dialog table, the live floor, reports and the administration, as the role allows. */
export function ConsoleScreen({ access, version, orgVersion, onOpenDialog, onError }: Props) {
  const { t } = useTranslation();
  const parts: Part[] = [
    ...(access.table ? (["dialogs", "floor"] as const) : []),
    ...(access.reports ? (["reports"] as const) : []),
    ...(access.users || access.lines || access.channels ? (["admin"] as const) : []),
  ];
  const [part, setPart] = useState<Part>(parts[0]);
  return (
    <section className="console" data-testid="console">
      <nav className="console-nav" role="tablist">
        {parts.map((p) => (
          <button type="button" role="tab" key={p} aria-selected={p === part} className={p === part ? "active" : ""} onClick={() => setPart(p)} data-testid={`console-${p}`}>
            {t(`console.tabs.${p}`)}
          </button>
        ))}
      </nav>
      <div className="console-body">
        {part === "dialogs" && <DialogTable version={version} onOpen={onOpenDialog} onError={onError} />}
        {part === "floor" && <FloorPanel version={version} onError={onError} />}
        {part === "reports" && <ReportsPanel onError={onError} />}
        {part === "admin" && <AdminPanel access={access} version={orgVersion} onError={onError} />}
      </div>
    </section>
  );
}
