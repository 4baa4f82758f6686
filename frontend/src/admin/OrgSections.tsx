import { useTranslation } from "react-i18next";
import { BusinessHours } from "./BusinessHours";
import { permissions, type AdminOrg, type Group, type Line, type Role } from "../api/console";
import { Checklist, Field } from "./fields";
import { SectionAdmin } from "./SectionAdmin";

type Section = { org: AdminOrg; onSaved: () => void };

export function RolesAdmin({ org, onSaved }: Section) {
  const { t } = useTranslation();
  const perms = permissions.map((p) => ({ id: p, name: t(`console.perms.${p.replace(".", "_")}`) }));
  return (
    <SectionAdmin<Role>
      kind="roles"
      testid="roles"
      items={org.roles ?? []}
      blank={{ id: "", name: "", permissions: [], builtIn: false }}
      onSaved={onSaved}
      badge={(r) => r.builtIn && <span className="badge muted">{t("console.admin.builtIn")}</span>}
      fields={(f, set, fe) => (
        <>
          <Field label={t("console.admin.name")} error={fe("name")}>
            <input name="name" value={f.name} onChange={(e) => set({ ...f, name: e.target.value })} />
          </Field>
          <Field label={t("console.admin.permissions")} error={fe("permissions")}>
            <Checklist items={perms} chosen={f.permissions ?? []} onChange={(ids) => set({ ...f, permissions: ids })} testid="role-permissions" />
          </Field>
        </>
      )}
    />
  );
}

export function GroupsAdmin({ org, onSaved }: Section) {
  const { t } = useTranslation();
  return (
    <SectionAdmin<Group>
      kind="groups"
      testid="groups"
      items={org.groups ?? []}
      blank={{ id: "", name: "", memberIds: [] }}
      onSaved={onSaved}
      fields={(f, set, fe) => (
        <>
          <Field label={t("console.admin.name")} error={fe("name")}>
            <input name="name" value={f.name} onChange={(e) => set({ ...f, name: e.target.value })} />
          </Field>
          <Field label={t("console.admin.members")} error={fe("memberIds")}>
            <Checklist items={org.operators ?? []} chosen={f.memberIds ?? []} onChange={(ids) => set({ ...f, memberIds: ids })} testid="group-members" />
          </Field>
        </>
      )}
    />
  );
}

export function LinesAdmin({ org, onSaved }: Section) {
  const { t } = useTranslation();
  const groups = org.groups ?? [];
  return (
    <SectionAdmin<Line>
      kind="lines"
      testid="lines"
      items={org.lines ?? []}
      blank={{ id: "", name: "", operatorGroupIds: [], supervisorGroupIds: [], nameShown: "operator" }}
      onSaved={onSaved}
      fields={(f, set, fe) => (
        <>
          <Field label={t("console.admin.name")} error={fe("name")}>
            <input name="name" value={f.name} onChange={(e) => set({ ...f, name: e.target.value })} />
          </Field>
          <Field label={t("console.admin.operatorGroups")} error={fe("operatorGroupIds")}>
            <Checklist items={groups} chosen={f.operatorGroupIds ?? []} onChange={(ids) => set({ ...f, operatorGroupIds: ids })} testid="line-operator-groups" />
          </Field>
          <Field label={t("console.admin.supervisorGroups")} error={fe("supervisorGroupIds")}>
            <Checklist items={groups} chosen={f.supervisorGroupIds ?? []} onChange={(ids) => set({ ...f, supervisorGroupIds: ids })} />
          </Field>
          <Field label={t("console.admin.nameShown")} error={fe("nameShown")}>
            <select name="nameShown" value={f.nameShown || "operator"} onChange={(e) => set({ ...f, nameShown: e.target.value as Line["nameShown"] })}>
              <option value="operator">{t("console.admin.showOperator")}</option>
              <option value="line">{t("console.admin.showLine")}</option>
            </select>
          </Field>
          <Field label={t("console.admin.autoAssign")} error={fe("autoAssign") && t("console.admin.autoAssignError")}>
            <select name="autoAssign" value={f.autoAssign ?? ""} onChange={(e) => set({ ...f, autoAssign: e.target.value as Line["autoAssign"] })}>
              <option value="">{t("console.admin.autoOff")}</option>
              <option value="round_robin">{t("console.admin.autoRoundRobin")}</option>
              <option value="least_loaded">{t("console.admin.autoLeastLoaded")}</option>
            </select>
            <small>{t("console.admin.autoAssignHint")}</small>
          </Field>
          <Field label={t("console.admin.reopenHours")} error={fe("reopenHours") && t("console.admin.reopenError")}>
            <input
              name="reopenHours"
              type="number"
              min={0}
              max={8760}
              value={f.reopenHours || ""}
              onChange={(e) => set({ ...f, reopenHours: e.target.value === "" ? 0 : Number(e.target.value) })}
            />
            <small>{t("console.admin.reopenHint")}</small>
          </Field>
          <BusinessHours
            value={f.businessHours}
            onChange={(h) => set({ ...f, businessHours: h })}
            error={fe("businessHours") && t("console.admin.hoursError")}
          />
        </>
      )}
    />
  );
}
