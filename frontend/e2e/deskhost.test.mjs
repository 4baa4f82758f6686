// A desktop hosts a channel: the team server has no plugin, the admin's
// desktop app has the signed webchat connector in its plugins folder and
// turns on "Host channels on this computer"; the settings show the channel
// running there, a customer's message reaches the server through it, an
// operator's answer goes out through it with its delivery recorded, and
// turning the toggle off hands the channel back.
//
// WEBCHAT_PKG, WEBCHAT_TRUSTED and PLUGIN_TOOL as in webchat.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { TeamServer, DesktopApp, launchBrowser, openPage, openChatCustomer, signIn, eventually, freePort } from "./harness.mjs";

let server, app, browser, admin, chatUrl;

before(async () => {
  for (const v of ["WEBCHAT_PKG", "WEBCHAT_TRUSTED", "PLUGIN_TOOL"]) assert.ok(process.env[v], `${v} must be set`);
  server = new TeamServer(); // no plugins of its own: only the desktop can run the chat
  await server.start();
  const port = await freePort();
  chatUrl = `http://127.0.0.1:${port}`;
  await server.request("PUT", "/api/v1/admin/channels/ch-webchat/settings", {
    auth: `Bearer ${await server.token("admin")}`,
    body: { listen: `127.0.0.1:${port}`, title: "Demo Shop" },
  });
  app = new DesktopApp("admin", server.url);
  // The plugin goes into the app's data folder, as an admin installs it there.
  const plugins = join(app.dataDir, "plugins");
  mkdirSync(plugins, { recursive: true });
  copyFileSync(process.env.WEBCHAT_TRUSTED, join(app.dataDir, "trusted-publishers"));
  execFileSync(process.env.PLUGIN_TOOL, ["install", "-trusted", join(app.dataDir, "trusted-publishers"), "-plugins", plugins, process.env.WEBCHAT_PKG]);
  await app.start();
  browser = await launchBrowser();
  admin = await openPage(browser, app, "en-US");
  await signIn(admin.page, "admin");
});

after(async () => {
  await browser?.close();
  await app?.close();
  await server?.close();
});

const logs = () => `--- server\n${server.log.join("").slice(-6000)}\n--- app\n${app.log.join("").slice(-6000)}`;

/** The newest message with this text the server sends taras, or undefined. */
async function serverMessage(text) {
  const auth = `Bearer ${await server.token("taras")}`;
  let after = 0;
  let found;
  for (;;) {
    const p = await server.request("GET", `/api/v1/sync/pull?after=${after}&limit=10000`, { auth });
    for (const c of p.changes) if (c.kind === "message" && c.op === "put" && c.data.text === text) found = c.data;
    after = p.next;
    if (!p.more) return found;
  }
}

test("the admin's desktop hosts the website chat when told to, and hands it back when told not to", async () => {
  const { page } = admin;
  await page.getByTestId("alerts-button").click();
  const toggle = page.getByTestId("host-channels");
  assert.equal(await toggle.isChecked(), false, "hosting is off by default");
  await toggle.check();
  const status = page.getByTestId("hosting-status");
  await eventually(async () => (await status.textContent()) === "Runs here: Site chat", async () => `the settings never showed the chat running here (they show ${JSON.stringify(await status.textContent().catch(() => null))})\n${logs()}`);

  // A customer writes: the message reaches the team server through the desktop.
  const { page: chat } = await openChatCustomer(browser, chatUrl, "Marta", logs);
  const question = "Is the blue one back in stock?";
  await chat.locator("#text").fill(question);
  await chat.locator("#composer button").click();
  const stored = await eventually(() => serverMessage(question), () => `the customer's message never reached the server\n${logs()}`);

  // An operator answers: the desktop's plugin delivers it, the delivery comes back.
  const answer = "Yes, since this morning.";
  await server.commands("taras", [{ type: "message.send", payload: { messageId: "m-deskhost-1", dialogId: stored.dialogId, kind: "outbound", text: answer } }]);
  await chat.locator("#lines li.operator").filter({ hasText: answer }).waitFor({ timeout: 30_000 });
  await eventually(async () => ["sent", "delivered", "read"].includes((await serverMessage(answer))?.delivery), () => `the answer's delivery was never recorded\n${logs()}`);

  // Off: the chat stops running here.
  await toggle.uncheck();
  await status.waitFor({ state: "detached" });
  await eventually(async () => {
    const r = await fetch(chatUrl).catch(() => null);
    return r === null;
  }, () => `the chat still answers at ${chatUrl} after hosting was turned off\n${logs()}`);
});
