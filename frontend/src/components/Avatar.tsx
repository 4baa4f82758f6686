/** Initials on a colour picked from the name; images only over https. */
export function Avatar({ name, url }: { name: string; url?: string }) {
  if (url && url.startsWith("https://")) {
    return <img className="avatar" src={url} alt="" referrerPolicy="no-referrer" />;
  }
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => Array.from(w)[0]?.toUpperCase() ?? "")
    .join("");
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return <span className={`avatar avatar-c${Math.abs(hash) % 6}`}>{initials || "?"}</span>;
}

/** The channel's logo as a small badge (letters, so no remote images). */
export function ChannelBadge({ kind, title }: { kind: string; title: string }) {
  const label: Record<string, string> = { telegram: "TG", whatsapp: "WA", vk: "VK", email: "@", webchat: "W" };
  return (
    <span className={`channel channel-${kind || "custom"}`} title={title}>
      {label[kind] ?? "•"}
    </span>
  );
}
