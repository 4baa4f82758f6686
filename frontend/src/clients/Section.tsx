import type { ReactNode } from "react";
import { useFolded } from "./useFolded";

interface Props {
  id: string;
  title: string;
  /** A count or a button beside the title. */
  extra?: ReactNode;
  children: ReactNode;
}

/** A foldable section of the client card; the fold is remembered. */
export function Section({ id, title, extra, children }: Props) {
  const [folded, toggle] = useFolded(id);
  return (
    <section className={`card-section${folded ? " folded" : ""}`} data-testid={`card-section-${id}`} data-folded={folded}>
      <header className="card-section-header">
        <button type="button" className="fold" aria-expanded={!folded} onClick={toggle} data-testid={`fold-${id}`}>
          <span className="fold-mark" aria-hidden>
            {folded ? "▸" : "▾"}
          </span>
          {title}
        </button>
        {extra}
      </header>
      {!folded && <div className="card-section-body">{children}</div>}
    </section>
  );
}
