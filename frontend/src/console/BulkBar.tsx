import { useState } from "react";
import { NamedSelect } from "./NamedSelect";
import { useTranslation } from "react-i18next";
import type { BulkRequest, TableOptions } from "../api/console";

type Action = BulkRequest["action"];

interface Props {
  count: number;
  options: TableOptions;
  busy: boolean;
  onRun: (action: Action, target: { operatorId?: string; lineId?: string }) => void;
  onClear: () => void;
}

/**
 * The actions on the chosen dialogs: close, force-close as spam, forward to
 * an operator or to another line. Closing more than one asks first.
 */
export function BulkBar({ count, options, busy, onRun, onClear }: Props) {
  const { t } = useTranslation();
  const [operatorId, setOperatorId] = useState("");
  const [lineId, setLineId] = useState("");
  const [confirm, setConfirm] = useState<Action | null>(null);

  const ask = (a: Action) => (count > 1 ? setConfirm(a) : onRun(a, {}));
  if (confirm) {
    return (
      <div className="bulk-bar confirm" role="alertdialog" data-testid="bulk-confirm">
        <span>{t(confirm === "spam" ? "console.bulk.confirmSpam" : "console.bulk.confirmClose", { count })}</span>
        <button
          type="button"
          className="danger"
          onClick={() => {
            setConfirm(null);
            onRun(confirm, {});
          }}
          data-testid="bulk-confirm-yes"
        >
          {t(confirm === "spam" ? "console.bulk.spam" : "console.bulk.close")}
        </button>
        <button type="button" onClick={() => setConfirm(null)} data-testid="bulk-confirm-no">
          {t("console.bulk.cancel")}
        </button>
      </div>
    );
  }
  return (
    <div className="bulk-bar" data-testid="bulk-bar">
      <span data-testid="bulk-count">{t("console.bulk.selected", { count })}</span>
      <button type="button" disabled={busy} onClick={() => ask("close")} data-testid="bulk-close">
        {t("console.bulk.close")}
      </button>
      <button type="button" disabled={busy} onClick={() => ask("spam")} data-testid="bulk-spam">
        {t("console.bulk.spam")}
      </button>
      <NamedSelect value={operatorId} onChange={setOperatorId} items={options.operators} empty={t("console.bulk.toOperator")} label={t("console.bulk.toOperator")} testid="bulk-operator" />
      <button type="button" disabled={busy || !operatorId} onClick={() => onRun("assign", { operatorId })} data-testid="bulk-assign">
        {t("console.bulk.forward")}
      </button>
      <NamedSelect value={lineId} onChange={setLineId} items={options.lines} empty={t("console.bulk.toLine")} label={t("console.bulk.toLine")} testid="bulk-line" />
      <button type="button" disabled={busy || !lineId} onClick={() => onRun("transfer", { lineId })} data-testid="bulk-transfer">
        {t("console.bulk.forward")}
      </button>
      <button type="button" className="link" onClick={onClear} data-testid="bulk-clear">
        {t("console.bulk.clear")}
      </button>
    </div>
  );
}
