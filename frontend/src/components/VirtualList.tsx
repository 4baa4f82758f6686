import { useEffect, useRef, useState, type ReactNode } from "react";

interface Props {
  count: number;
  rowHeight: number;
  /** Called with the visible index range whenever it changes. */
  onRange: (start: number, end: number) => void;
  renderRow: (index: number) => ReactNode;
  overscan?: number;
  className?: string;
  /** Scrolls, when it changes, just enough to show this row (the one moved to by keyboard). */
  showIndex?: number;
}

/**
 * Renders only the rows in view (plus a margin) inside a spacer as tall as
 * the whole list, so 100k rows cost what a screenful does.
 */
export function VirtualList({ count, rowHeight, onRange, renderRow, overscan = 8, className, showIndex }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (!el || showIndex === undefined || showIndex < 0) return;
    const top = showIndex * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  }, [showIndex, rowHeight]);

  const start = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  useEffect(() => onRange(start, end), [start, end, onRange]);

  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    rows.push(
      <div key={i} className="vrow" style={{ top: i * rowHeight, height: rowHeight }}>
        {renderRow(i)}
      </div>,
    );
  }
  return (
    <div ref={ref} className={`vlist ${className ?? ""}`} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <div className="vspacer" style={{ height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
