// The website chat end to end: the team server hosts the real, signed
// webchat connector plugin (installed with switchboard-plugin), a customer
// writes in its page in Chromium, the operator of the chat's line answers in
// the desktop app, and the customer reads the answer live. The customer
// also sees the operator read the question and type the answer.
//
// WEBCHAT_PKG is the signed plugin archive, WEBCHAT_TRUSTED the publisher's
// .pub line, PLUGIN_TOOL the switchboard-plugin build (50-e2e.sh makes them).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { TeamServer, DesktopApp, launchBrowser, openPage, openChatCustomer, signIn, eventually, freePort } from "./harness.mjs";

let server, app, browser, op, chatUrl;

before(async () => {
  for (const v of ["WEBCHAT_PKG", "WEBCHAT_TRUSTED", "PLUGIN_TOOL"]) assert.ok(process.env[v], `${v} must be set`);
  server = new TeamServer();
  // Install the plugin the way an admin does, before the server starts.
  const plugins = join(server.dataDir, "plugins");
  mkdirSync(plugins, { recursive: true });
  copyFileSync(process.env.WEBCHAT_TRUSTED, join(server.dataDir, "trusted-publishers"));
  execFileSync(process.env.PLUGIN_TOOL, ["install", "-trusted", join(server.dataDir, "trusted-publishers"), "-plugins", plugins, process.env.WEBCHAT_PKG]);
  await server.start();
  // The admin points the chat at a free port (the demo's default may be taken).
  const port = await freePort();
  chatUrl = `http://127.0.0.1:${port}`;
  await server.request("PUT", "/api/v1/admin/channels/ch-webchat/settings", {
    auth: `Bearer ${await server.token("admin")}`,
    body: { listen: `127.0.0.1:${port}`, title: "Demo Shop" },
  });
  app = new DesktopApp("taras", server.url);
  await app.start();
  browser = await launchBrowser();
  op = await openPage(browser, app, "en-US");
  await signIn(op.page, "taras"); // the operator of Підтримка, the chat's line
});

after(async () => {
  await browser?.close();
  await app?.close();
  await server?.close();
});

const logs = () => `--- server\n${server.log.join("").slice(-6000)}\n--- app\n${app.log.join("").slice(-3000)}`;

test("a customer writes in the website chat, the operator answers in the app, the customer reads it", async () => {
  const { context: customer, page, problems } = await openChatCustomer(browser, chatUrl, "Olena <img src=x onerror=alert(1)>", logs);
  const question = "Hello! Where is my order 4815? <script>alert(2)</script>";
  await page.locator("#text").fill(question);
  await page.locator("#composer button").click();
  await page.locator("#lines li.visitor").filter({ hasText: question }).waitFor();

  // The new dialog reaches the operator's Unassigned queue live.
  await op.page.getByTestId("tab-unassigned").click();
  const row = op.page.getByTestId("dialog-row").filter({ hasText: "Olena" });
  await eventually(async () => (await row.count()) === 1, () => `the customer's dialog never reached the operator\n${logs()}`);
  const dialogId = await row.getAttribute("data-dialog-id");
  // The customer's new chat raised the operator's native alert (the dev
  // build lists what its Alerter raised; app/notify's D-Bus tests prove
  // what such an alert looks like on the bus).
  const alert = await eventually(
    () =>
      op.page.evaluate(
        async (id) => (await window.go.app.Dev.RaisedAlerts()).find((a) => a.kind === "new_dialog" && a.dialogId === id),
        dialogId,
      ),
    () => `the operator's app raised no alert for the new chat\n${logs()}`,
  );
  assert.match(alert.title, /Підтримка/, "the alert names the chat's line");
  await row.click();
  await op.page.getByTestId("message").filter({ hasText: question }).waitFor();
  assert.equal(await op.page.locator(".conversation-title").textContent(), "Olena <img src=x onerror=alert(1)>");

  // The operator takes it: the dialog is theirs, open, so its question
  // counts as read, and the customer's chat says so under it.
  const readMark = page.locator("#lines li.visitor").filter({ hasText: question }).locator(".read");
  assert.equal(await readMark.count(), 0, "nobody has read the question yet");
  await op.page.getByTestId("action-take").click();
  await eventually(
    async () => (await readMark.count()) === 1,
    () => `the operator's reading never showed in the customer's chat\n${logs()}`,
  );
  assert.equal(await readMark.textContent(), "Read");
  // The customer starts typing again: the operator sees it above the
  // composer (the chat tells at most every 3 s, so keep typing until it
  // shows).
  const clientTyping = op.page.getByTestId("activity-client-typing");
  await eventually(
    async () => {
      await page.locator("#text").type("…", { delay: 0 });
      return (await clientTyping.count()) === 1;
    },
    () => `the customer's typing never showed to the operator\n${logs()}`,
  );
  assert.equal(await clientTyping.textContent(), "The customer is typing…");
  await page.locator("#text").fill("");
  // The operator types the answer: the customer sees the line's name
  // typing (the line shows its name, not the operator's). The app and the
  // server tell at most every few seconds, so keep typing until it shows.
  const opTyping = page.locator("#typing");
  await eventually(
    async () => {
      await op.page.getByTestId("composer-text").type("G", { delay: 0 });
      return (await opTyping.textContent()) === "Підтримка is typing…" && (await opTyping.isVisible());
    },
    () => `the operator's typing never showed in the customer's chat\n${logs()}`,
  );
  const answer = "Good afternoon, Olena! Order 4815 left our warehouse today.";
  await op.page.getByTestId("composer-text").fill(answer);
  await op.page.getByTestId("composer-send").click();
  await op.page.getByTestId("message").filter({ hasText: answer }).waitFor();

  // The customer reads it, signed with the line's name as the line says.
  const reply = page.locator("#lines li.operator").filter({ hasText: answer });
  await eventually(
    async () => (await reply.count()) === 1,
    async () =>
      `the answer never reached the customer; the server has ${JSON.stringify(
        (await server.messages("taras", dialogId)).map((m) => [m.kind, m.delivery, m.failReason]),
      )}; the page shows ${JSON.stringify(await page.locator("#lines li").allTextContents())}\n${logs()}`,
  );
  assert.equal(await reply.locator(".who").textContent(), "Підтримка");

  // The server records that the chat delivered it (the customer's page was open).
  await eventually(
    async () => (await server.messages("taras", dialogId)).find((m) => m.text === answer)?.delivery === "delivered",
    () => `the answer's delivery was never recorded\n${logs()}`,
  );
  assert.deepEqual(problems, [], "nothing ran on the customer's page");
  assert.deepEqual(op.problems, [], "nothing ran in the operator's app");
  await customer.close();
});
