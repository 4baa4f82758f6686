import { useState } from "react";
import { useTranslation } from "react-i18next";

interface Props {
  /** The button's label, and the confirming button's. */
  label: string;
  /** What the operator is asked before it happens. */
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  testId: string;
  danger?: boolean;
}

/**
 * A button that asks first, in the page (never window.confirm): one press
 * opens the question, the second press does it.
 */
export function ConfirmAction({ label, question, confirmLabel, onConfirm, testId, danger }: Props) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className={danger ? "danger" : undefined} onClick={() => setAsking(true)} data-testid={testId}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="alertdialog" aria-label={question} data-testid={`${testId}-confirm`}>
      <span>{question}</span>
      <button type="button" onClick={() => setAsking(false)} data-testid={`${testId}-cancel`}>
        {t("conversation.cancel")}
      </button>
      <button
        type="button"
        className={danger ? "danger" : undefined}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
        data-testid={`${testId}-yes`}
      >
        {confirmLabel}
      </button>
    </span>
  );
}
