// A stand-in team server for the UI tests: it speaks just enough of sync
// protocol v1 (login, one pull page, commands) to put a workspace with
// hostile customer text into the app's replica. The live feed answers 503,
// so the app shows its reconnecting banner. The real team server is being
// written in parallel; the lead swaps it in for the two-operator tests.
import http from "node:http";

const now = Date.now();
const iso = (ms) => new Date(ms).toISOString();

export const hostile = {
  name: `<img src=x onerror="window.__pwned='name'">`,
  message: `<img src=x onerror="window.__pwned='message'">`,
  script: `<script>window.__pwned='script'</script>`,
  link: `<a href="javascript:window.__pwned='link'">click me</a>`,
  note: `<img src=x onerror="window.__pwned='note'"> javascript:alert(1)`,
};

function changes() {
  const entities = [
    ["workspace", "ws1", { id: "ws1", name: "Demo", reopenMessengerHours: 48, reopenEmailHours: 120, defaultLanguage: "en", createdAt: iso(now) }],
    ["role", "operator", { id: "operator", name: "operator", permissions: [], builtIn: true }],
    ["operator", "anna", { id: "anna", name: "Anna", email: "anna@demo.switchboard", role: "operator", active: true, capacity: 0, createdAt: iso(now) }],
    ["group", "g1", { id: "g1", name: "Support", memberIds: ["anna"] }],
    ["line", "l1", { id: "l1", name: "First line", operatorGroupIds: ["g1"], supervisorGroupIds: [], nameShown: "line" }],
    ["channel", "ch1", { id: "ch1", name: "Telegram bot", kind: "telegram", connectorId: "switchboard.telegram", lineId: "l1", state: "active", capabilities: {} }],
    ["client", "c1", { id: "c1", originalName: hostile.name, contacts: [{ channelId: "ch1", kind: "telegram", externalId: "42", handle: hostile.link }], blacklisted: false, createdAt: iso(now), modifiedAt: iso(now) }],
    ["note", "n1", { id: "n1", clientId: "c1", authorId: "anna", text: hostile.note, createdAt: iso(now) }],
    ["dialog", "d1", {
      id: "d1", number: 1042, clientId: "c1", channelId: "ch1", lineId: "l1", status: "unassigned", detailed: "queued",
      unread: 3, lastMessageText: hostile.message, lastMessageFromTeam: false, outgoing: false,
      createdAt: iso(now - 60000), queuedAt: iso(now - 60000), lastMessageAt: iso(now - 1000), modifiedAt: iso(now),
    }],
    ["message", "m1", { id: "m1", dialogId: "d1", clientId: "c1", channelId: "ch1", kind: "inbound", text: hostile.message, createdAt: iso(now - 3000) }],
    ["message", "m2", { id: "m2", dialogId: "d1", clientId: "c1", channelId: "ch1", kind: "inbound", text: hostile.script, createdAt: iso(now - 2000) }],
    ["message", "m3", { id: "m3", dialogId: "d1", clientId: "c1", channelId: "ch1", kind: "inbound", text: hostile.link, createdAt: iso(now - 1000) }],
  ];
  return entities.map(([kind, id, data], i) => ({ seq: i + 1, kind, id, op: "put", data }));
}

function json(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Starts the server on a free port; resolves to { url, commands, close }. */
export function startFakeServer() {
  const commands = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (req.headers["switchboard-protocol"] !== "1") return json(res, 400, { code: "protocol.missing", message: "no protocol header" });
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.method === "POST" && url.pathname === "/api/v1/auth/login") {
        const { email, password } = JSON.parse(body || "{}");
        if (email === "anna@demo.switchboard" && password === "demo1234") {
          return json(res, 200, { token: "tok", operatorId: "anna", workspaceId: "ws1" });
        }
        return json(res, 401, { code: "auth.invalid", message: "Wrong e-mail or password." });
      }
      if (req.headers.authorization !== "Bearer tok") return json(res, 401, { code: "auth.required", message: "sign in" });
      if (url.pathname === "/api/v1/sync/pull") {
        const after = Number(url.searchParams.get("after") || 0);
        const all = changes();
        const page = all.filter((c) => c.seq > after);
        return json(res, 200, { changes: page, next: all.length, more: false, head: all.length });
      }
      if (req.method === "POST" && url.pathname === "/api/v1/commands") {
        const { commands: cmds } = JSON.parse(body);
        commands.push(...cmds);
        return json(res, 200, { results: cmds.map((c) => ({ id: c.id, ok: true })) });
      }
      if (req.method === "POST" && url.pathname === "/api/v1/auth/logout") return json(res, 200, {});
      return json(res, 503, { code: "server.down", message: "no live feed here" });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, commands, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
