import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { admin, type AdminOrg, type ConsoleAccess } from "../api/console";
import type { ApiError } from "../api/types";
import { ChannelsAdmin } from "./ChannelsAdmin";
import { OperatorsAdmin } from "./OperatorsAdmin";
import { GroupsAdmin, LinesAdmin, RolesAdmin } from "./OrgSections";
import { SmtpAdmin } from "./SmtpAdmin";

type Section = "operators" | "roles" | "groups" | "lines" | "channels" | "smtp";

/** The workspace's administration, as the team server holds it; each section needs its permission. */
export function AdminPanel({ access, version, onError }: { access: ConsoleAccess; version: number; onError: (e: ApiError) => void }) {
  const { t } = useTranslation();
  const sections: Section[] = [
    ...(access.users ? (["operators", "roles"] as const) : []),
    ...(access.lines ? (["groups", "lines"] as const) : []),
    ...(access.channels ? (["channels", "smtp"] as const) : []),
  ];
  const [section, setSection] = useState<Section>(sections[0]);
  const [org, setOrg] = useState<AdminOrg | null>(null);
  const [reloads, setReloads] = useState(0);
  const reload = useCallback(() => setReloads((n) => n + 1), []);

  // The server's word, re-read after a save and on every org change the
  // live feed brings (a channel failing, another admin's edit).
  useEffect(() => {
    admin.org().then(setOrg).catch(onError);
  }, [reloads, version, onError]);

  if (!org) return null;
  return (
    <div className="admin" data-testid="admin">
      <nav className="admin-nav" role="tablist">
        {sections.map((s) => (
          <button type="button" role="tab" key={s} aria-selected={s === section} className={s === section ? "active" : ""} onClick={() => setSection(s)} data-testid={`admin-${s}`}>
            {t(`console.admin.${s}`)}
          </button>
        ))}
      </nav>
      {section === "operators" && <OperatorsAdmin org={org} onSaved={reload} />}
      {section === "roles" && <RolesAdmin org={org} onSaved={reload} />}
      {section === "groups" && <GroupsAdmin org={org} onSaved={reload} />}
      {section === "lines" && <LinesAdmin org={org} onSaved={reload} />}
      {section === "channels" && <ChannelsAdmin org={org} onSaved={reload} onError={onError} />}
      {section === "smtp" && <SmtpAdmin onError={onError} />}
    </div>
  );
}
