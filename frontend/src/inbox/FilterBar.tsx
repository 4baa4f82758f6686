import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { inbox } from "../api/wails";
import type { ApiError, ChannelView, DialogFilter, OperatorView, SavedFilter, TagView } from "../api/types";
import { errorText } from "../i18n";
import { cleanFilter, dayAfter, dayOf, dayStart, sameFilter } from "./filter";

const statuses = ["unassigned", "in_progress", "snoozed", "closed", "spam"];

/** One field of the filter: a labelled select. */
function Choice(props: { label: string; value: string; onChange: (v: string) => void; testId: string; options: { value: string; label: string }[] }) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId}>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

interface Props {
  me: string;
  filter: DialogFilter;
  onChange: (f: DialogFilter) => void;
  /** Bumped on every inbox:changed event (new tags, channels, colleagues). */
  version: number;
}

/**
 * The inbox's filters beyond the line: operator, status, channel, tag and
 * dates, combined; and the operator's saved filters, kept on this desktop,
 * to apply again in one pick.
 */
export function FilterBar({ me, filter, onChange, version }: Props) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [operators, setOperators] = useState<OperatorView[]>([]);
  const [channels, setChannels] = useState<ChannelView[]>([]);
  const [tags, setTags] = useState<TagView[]>([]);
  const [saved, setSaved] = useState<SavedFilter[]>([]);
  const [name, setName] = useState<string | null>(null);
  const [error, setError] = useState("");

  useEffect(() => {
    inbox.operators().then(setOperators).catch(() => undefined);
    inbox.channels().then(setChannels).catch(() => undefined);
    inbox.tags().then(setTags).catch(() => undefined);
  }, [version]);
  const loadSaved = useCallback(() => inbox.savedFilters().then(setSaved), []);
  useEffect(() => {
    loadSaved().catch(() => undefined);
  }, [loadSaved]);

  const set = (patch: DialogFilter) => {
    const next = cleanFilter({ ...filter, ...patch });
    if (next.from && next.to && next.to <= next.from) {
      setError(t("errors.filter_dates"));
      return;
    }
    setError("");
    onChange(next);
  };
  const shown = (err: unknown) => setError(errorText(err as ApiError));
  const current = saved.find((s) => sameFilter(s.filter, filter));
  const count = Object.keys(cleanFilter({ ...filter, lineId: undefined })).length;

  async function save() {
    try {
      const s = await inbox.saveFilter(name ?? "", cleanFilter(filter));
      await loadSaved();
      setName(null);
      setError("");
      onChange(cleanFilter(s.filter));
    } catch (err) {
      shown(err);
    }
  }

  async function remove(id: string) {
    try {
      await inbox.deleteFilter(id);
      await loadSaved();
    } catch (err) {
      shown(err);
    }
  }

  return (
    <div className="filter-bar">
      <div className="filter-row">
        <button type="button" className={count > 0 ? "active" : ""} onClick={() => setOpen((v) => !v)} aria-expanded={open} data-testid="filters-toggle">
          {count > 0 ? t("filters.active", { n: count }) : t("filters.button")}
        </button>
        <select
          value={current?.id ?? ""}
          onChange={(e) => {
            const s = saved.find((x) => x.id === e.target.value);
            if (s) onChange(cleanFilter(s.filter));
          }}
          aria-label={t("filters.saved")}
          data-testid="saved-filters"
        >
          <option value="">{saved.length ? t("filters.saved") : t("filters.noSaved")}</option>
          {saved.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        {current && (
          <button type="button" onClick={() => void remove(current.id)} title={t("filters.delete")} aria-label={t("filters.delete")} data-testid="filter-delete">
            ×
          </button>
        )}
      </div>
      {open && (
        <div className="filter-panel" data-testid="filter-panel">
          <Choice
            label={t("filters.operator")}
            value={filter.operatorId ?? ""}
            onChange={(v) => set({ operatorId: v })}
            testId="filter-operator"
            options={[
              { value: "", label: t("filters.anyOperator") },
              { value: me, label: t("inbox.you") },
              { value: "-", label: t("filters.nobody") },
              ...operators.map((o) => ({ value: o.id, label: o.name })),
            ]}
          />
          <Choice
            label={t("filters.status")}
            value={filter.status ?? ""}
            onChange={(v) => set({ status: v })}
            testId="filter-status"
            options={[{ value: "", label: t("filters.anyStatus") }, ...statuses.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
          />
          <Choice
            label={t("filters.channel")}
            value={filter.channelId ?? ""}
            onChange={(v) => set({ channelId: v })}
            testId="filter-channel"
            options={[{ value: "", label: t("filters.anyChannel") }, ...channels.map((c) => ({ value: c.id, label: c.name }))]}
          />
          <Choice
            label={t("filters.tag")}
            value={filter.tagId ?? ""}
            onChange={(v) => set({ tagId: v })}
            testId="filter-tag"
            options={[{ value: "", label: t("filters.anyTag") }, ...tags.map((tg) => ({ value: tg.id, label: tg.name }))]}
          />
          <label>
            {t("filters.from")}
            <input
              type="date"
              value={filter.from ? dayOf(filter.from) : ""}
              onChange={(e) => set({ from: e.target.value ? dayStart(e.target.value) : 0 })}
              data-testid="filter-from"
            />
          </label>
          <label>
            {t("filters.to")}
            <input
              type="date"
              value={filter.to ? dayOf(filter.to - 1) : ""}
              onChange={(e) => set({ to: e.target.value ? dayAfter(e.target.value) : 0 })}
              data-testid="filter-to"
            />
          </label>
          <p className="hint">{t("filters.datesHint")}</p>
          <div className="filter-actions">
            <button type="button" onClick={() => onChange(cleanFilter({ lineId: filter.lineId }))} disabled={count === 0} data-testid="filter-clear">
              {t("filters.clear")}
            </button>
            {name === null ? (
              <button type="button" onClick={() => setName(current?.name ?? "")} data-testid="filter-save-open">
                {t("filters.save")}
              </button>
            ) : (
              <span className="filter-save">
                <input
                  autoFocus
                  value={name}
                  maxLength={60}
                  placeholder={t("filters.name")}
                  onChange={(e) => setName(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter") void save();
                    if (e.key === "Escape") setName(null);
                  }}
                  data-testid="filter-name"
                />
                <button type="button" onClick={() => void save()} data-testid="filter-save">
                  {t("filters.saveConfirm")}
                </button>
              </span>
            )}
          </div>
        </div>
      )}
      {error && (
        <p className="error" role="alert" data-testid="filter-error">
          {error}
        </p>
      )}
    </div>
  );
}
