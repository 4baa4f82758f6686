import { useCallback, useEffect, useRef, useState } from "react";
import { supervisor, type TableRequest, type TableRow } from "../api/console";
import type { ApiError } from "../api/types";

const pageSize = 100;

export type TableQuery = Omit<TableRequest, "offset" | "limit">;

/**
 * Loads the dialog table's rows page by page as it scrolls; a new query or
 * version (a change from the live feed) drops the pages and reloads what is
 * in view.
 */
export function useTablePages(query: TableQuery | null, version: number, onError: (e: ApiError) => void) {
  const pages = useRef(new Map<number, TableRow[]>());
  const loading = useRef(new Set<number>());
  const range = useRef<[number, number]>([0, 0]);
  const [total, setTotal] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [, setTick] = useState(0);
  const generation = useRef(0);
  const key = JSON.stringify(query);

  const load = useCallback(
    (page: number, gen: number) => {
      if (!query || loading.current.has(page)) return;
      loading.current.add(page);
      supervisor
        .table({ ...query, offset: page * pageSize, limit: pageSize })
        .then((p) => {
          if (gen !== generation.current) return;
          pages.current.set(page, p.rows);
          setTotal(p.total);
          setLoaded(true);
          setTick((n) => n + 1);
        })
        .catch((e: ApiError) => {
          if (gen === generation.current) onError(e);
        })
        .finally(() => loading.current.delete(page));
    },
    // key stands for query's content.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [key, onError],
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

  const rowAt = (i: number): TableRow | undefined => pages.current.get(Math.floor(i / pageSize))?.[i % pageSize];
  return { total, loaded, rowAt, onRange };
}
