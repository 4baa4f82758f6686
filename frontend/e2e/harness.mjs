// The real pieces the e2e tests drive: the team server (SERVER_BIN, the
// switchboard-server build) with its demo workspace, and the dev build of
// the desktop app (APP_BIN) under Xvfb, one process per operator, each with
// its own data directory and dev-server port. Chromium (playwright-core,
// Debian's /usr/bin/chromium) opens an app's dev-server page; bound Go
// methods work from it, so UI -> Go -> replica -> sync -> server is real.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import net from "node:net";
import { chromium } from "playwright-core";

const frontendDir = resolve(import.meta.dirname, "..");

/** The demo workspace (server/seed): every operator signs in with this password. */
export const demoPassword = "demo1234";

export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls check() until it returns a truthy value; throws what() after the timeout. */
export async function eventually(check, what, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const said = typeof what === "function" ? await what() : what; // what() may be async
      throw new Error(`${said}${last ? ` (last error: ${last.message})` : ""}`);
    }
    await sleep(150);
  }
}

/** A child process whose output is kept for failure messages. */
function launch(cmd, args, env, log) {
  const p = spawn(cmd, args, { detached: true, env: { ...process.env, ...env } }); // own process group
  p.stdout.on("data", (d) => log.push(String(d)));
  p.stderr.on("data", (d) => log.push(String(d)));
  p.exited = new Promise((r) => p.on("exit", r));
  return p;
}

/** Whether any process of p's group is still alive. */
function groupAlive(p) {
  try {
    process.kill(-p.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a process group: SIGTERM, then SIGKILL after timeout. Resolves only
 * once every process of the group is gone, not just its leader: xvfb-run
 * exits before the app it started has finished shutting down, and an app
 * started again on the same port would lose the port to its predecessor.
 */
async function stopGroup(p, timeout = 10_000) {
  if (!p || !groupAlive(p)) return;
  try {
    process.kill(-p.pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + timeout;
  while (groupAlive(p) && Date.now() < deadline) await sleep(50);
  if (groupAlive(p)) {
    try {
      process.kill(-p.pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
    while (groupAlive(p)) await sleep(50);
  }
  if (p.exitCode === null && p.signalCode === null) await p.exited;
}

/**
 * The team server with the demo workspace, on a fixed port so it can be
 * stopped and started again on the same data directory.
 */
export class TeamServer {
  /** devClock: start with --dev-clock, so advanceClock can move the server's time. */
  constructor({ devClock = false } = {}) {
    this.devClock = devClock;
    this.bin = process.env.SERVER_BIN;
    if (!this.bin) throw new Error("SERVER_BIN must name the switchboard-server build");
    this.dataDir = mkdtempSync(join(tmpdir(), "switchboard-e2e-server-"));
    this.hostKey = "e2e-host-key";
    this.log = [];
  }

  /**
   * Installs a signed plugin package into the server's plugins folder,
   * trusting its publisher key (call before start). PLUGIN_TOOL is the
   * switchboard-plugin build.
   */
  installPlugin(pkg, publisherKey) {
    const tool = process.env.PLUGIN_TOOL;
    if (!tool) throw new Error("PLUGIN_TOOL must name the switchboard-plugin build");
    const trusted = join(this.dataDir, "trusted-publishers");
    copyFileSync(publisherKey, trusted);
    mkdirSync(join(this.dataDir, "plugins"), { recursive: true });
    execFileSync(tool, ["install", "-trusted", trusted, "-plugins", join(this.dataDir, "plugins"), pkg]);
  }

  async start() {
    this.port ??= await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    const args = ["--demo", "--data", this.dataDir, "--listen", `127.0.0.1:${this.port}`, "--host-key", this.hostKey];
    if (this.devClock) args.push("--dev-clock");
    this.proc = launch(this.bin, args, {}, this.log);
    await eventually(async () => (await fetch(`${this.url}/healthz`)).ok, () => `the team server did not come up; its log:\n${this.log.join("")}`);
    this.tokens = new Map(); // sessions survive a restart, but sign in afresh anyway
  }

  async stop() {
    await stopGroup(this.proc);
    this.proc = undefined;
  }

  async close() {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async request(method, path, { body, auth } = {}) {
    const headers = { "Switchboard-Protocol": "1", "Content-Type": "application/json" };
    if (auth) headers.Authorization = auth;
    const r = await fetch(this.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    const data = text ? JSON.parse(text) : undefined;
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return data;
  }

  /** A bearer token for a demo operator, by the e-mail's local part ("anna"). */
  async token(who) {
    if (!this.tokens.has(who)) {
      const { token } = await this.request("POST", "/api/v1/auth/login", { body: { email: `${who}@demo.switchboard`, password: demoPassword } });
      this.tokens.set(who, token);
    }
    return this.tokens.get(who);
  }

  /** The dialog's messages as the server holds them, as `who` may see them. */
  async messages(who, dialogId) {
    return this.request("GET", `/api/v1/dialogs/${encodeURIComponent(dialogId)}/messages`, { auth: `Bearer ${await this.token(who)}` });
  }

  async dialog(who, dialogId) {
    return this.request("GET", `/api/v1/dialogs/${encodeURIComponent(dialogId)}`, { auth: `Bearer ${await this.token(who)}` });
  }

  /** Commands as operator `who`; throws unless every one was accepted. */
  async commands(who, commands) {
    const { results } = await this.request("POST", "/api/v1/commands", {
      auth: `Bearer ${await this.token(who)}`,
      body: { commands: commands.map((c) => ({ id: crypto.randomUUID(), issuedAt: new Date().toISOString(), ...c })) },
    });
    const bad = results.filter((r) => !r.ok);
    if (bad.length) throw new Error(`commands refused: ${JSON.stringify(bad)}`);
    return results;
  }

  /** Moves the server's clock forward by a Go duration ("61m"); the server runs its timers at once. */
  async advanceClock(by) {
    return this.request("POST", "/api/v1/dev/clock", { body: { advance: by } });
  }

  /** Inbound events as a connector host posts them (Authorization: Host <key>). */
  async ingest(events) {
    const { results } = await this.request("POST", "/api/v1/ingest", { auth: `Host ${this.hostKey}`, body: { events } });
    const bad = results.filter((r) => !r.ok);
    if (bad.length) throw new Error(`ingest refused: ${JSON.stringify(bad)}`);
    return results;
  }
}

/** One operator's desktop app: the dev build under Xvfb with its own data directory. */
export class DesktopApp {
  constructor(name, serverUrl) {
    this.name = name;
    this.bin = process.env.APP_BIN;
    if (!this.bin) throw new Error("APP_BIN must name the dev build of the app");
    this.serverUrl = serverUrl;
    this.dataDir = mkdtempSync(join(tmpdir(), `switchboard-e2e-${name}-`));
    this.log = [];
  }

  async start() {
    this.port ??= await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    this.proc = launch(
      "xvfb-run",
      ["-a", this.bin, "-assetdir", join(frontendDir, "dist"), "-devserver", `127.0.0.1:${this.port}`],
      {
        SWITCHBOARD_DATA_DIR: this.dataDir,
        SWITCHBOARD_SERVER: this.serverUrl,
        // No session bus: no keychain, so every start signs in again
        // (the replica and its outbox are kept all the same).
        DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent",
        NO_AT_BRIDGE: "1",
      },
      this.log,
    );
    await eventually(async () => (await fetch(this.url)).ok, () => `app ${this.name}'s dev server did not come up; its log:\n${this.log.join("")}`, 60_000);
  }

  async stop() {
    await stopGroup(this.proc);
    this.proc = undefined;
  }

  async close() {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
    ],
  });
}

/** Opens an app's page in a fresh browser context; collects CSP violations and page errors. */
export async function openPage(browser, app, locale = "en-US") {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => {
    // Wails' own dev-mode overlay (a Svelte component in /wails/ipc.js)
    // throws on load in a plain browser; it is not part of our page.
    if (String(e.stack).includes("/wails/ipc.js")) return;
    problems.push(`pageerror: ${e.message}`);
  });
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    void d.dismiss();
  });
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  await page.goto(app.url);
  return { context, page, problems };
}

/** Signs a demo operator in through the sign-in form; resolves once the inbox shows. */
export async function signIn(page, who) {
  await page.getByTestId("login-form").waitFor();
  await page.locator("input[name=email]").fill(`${who}@demo.switchboard`);
  await page.locator("input[name=password]").fill(demoPassword);
  await page.getByTestId("login-submit").click();
  await page.getByTestId("tab-unassigned").waitFor({ timeout: 30_000 });
}

/**
 * A customer of the website chat: a fresh browser context on the chat's
 * page at chatUrl, introduced by name. problems collects page errors and
 * dialogs (nothing a customer or operator wrote may run there); logs() is
 * added to the failure message when the page never comes up.
 */
export async function openChatCustomer(browser, chatUrl, name, logs = () => "") {
  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await eventually(
    async () => {
      await page.goto(chatUrl);
      return true;
    },
    () => `the website chat never served its page at ${chatUrl}\n${logs()}`,
  );
  await page.locator("#intro").waitFor();
  await page.locator("#name").fill(name);
  await page.locator("#intro button").click();
  await page.locator("#composer").waitFor();
  return { context, page, problems };
}
