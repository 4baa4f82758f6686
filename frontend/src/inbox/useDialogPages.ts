import { useCallback, useEffect, useRef, useState } from "react";
import { inbox } from "../api/wails";
import type { DialogFilter, DialogRow, Tab } from "../api/types";

const pageSize = 100;

/**
 * Loads a tab's rows page by page as the list scrolls, and reloads the
 * pages in view when version changes (an inbox:changed event).
 */
export function useDialogPages(tab: Tab, filter: DialogFilter, query: string, version: number) {
  // The filter compares by value: a new object with the same fields is no new filter.
  const filterKey = JSON.stringify(filter);
  const pages = useRef(new Map<number, DialogRow[]>());
  const loading = useRef(new Set<number>());
  const range = useRef<[number, number]>([0, 0]);
  const [total, setTotal] = useState(0);
  const [, setTick] = useState(0);
  const generation = useRef(0);

  const load = useCallback(
    (page: number, gen: number) => {
      if (loading.current.has(page) || tab === "important") return; // a list of clients, not dialogs
      loading.current.add(page);
      inbox
        .listFiltered(tab, JSON.parse(filterKey) as DialogFilter, query, page * pageSize, pageSize)
        .then((p) => {
          if (gen !== generation.current) return; // a newer filter or change won
          pages.current.set(page, p.rows);
          setTotal(p.total);
          setTick((n) => n + 1);
        })
        .catch(() => undefined)
        .finally(() => loading.current.delete(page));
    },
    [tab, filterKey, query],
  );

  const loadRange = useCallback(
    (start: number, end: number) => {
      const gen = generation.current;
      const first = Math.floor(start / pageSize);
      const last = Math.floor(Math.max(start, end - 1) / pageSize);
      for (let p = first; p <= last; p++) {
        if (!pages.current.has(p)) load(p, gen);
      }
    },
    [load],
  );

  // A new filter, or fresh data: drop what we have and reload what is in view.
  useEffect(() => {
    generation.current++;
    pages.current = new Map();
    loading.current = new Set();
    loadRange(range.current[0], Math.max(range.current[1], 1));
  }, [loadRange, version]);

  const onRange = useCallback(
    (start: number, end: number) => {
      range.current = [start, end];
      loadRange(start, end);
    },
    [loadRange],
  );

  const rowAt = (i: number): DialogRow | undefined => pages.current.get(Math.floor(i / pageSize))?.[i % pageSize];

  /** Where a dialog is among the rows loaded, -1 when not loaded (or not in the list). */
  const indexOf = (id: string): number => {
    for (const [p, rows] of pages.current) {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) return p * pageSize + i;
    }
    return -1;
  };

  /** Row i, from the pages loaded or asked for on its own. */
  const fetchRow = async (i: number): Promise<DialogRow | undefined> =>
    rowAt(i) ?? (await inbox.listFiltered(tab, JSON.parse(filterKey) as DialogFilter, query, i, 1)).rows[0];

  return { total, rowAt, onRange, indexOf, fetchRow };
}
