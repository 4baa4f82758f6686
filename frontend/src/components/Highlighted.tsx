import { Fragment } from "react";
import type { TextPart } from "../api/types";

/** Text with the search's matches in <mark>: every part is a text node, never markup. */
export function Highlighted({ parts }: { parts: TextPart[] }) {
  return (
    <>
      {parts.map((p, i) => (p.match ? <mark key={i}>{p.text}</mark> : <Fragment key={i}>{p.text}</Fragment>))}
    </>
  );
}
