// End-to-end tests of the supervisor's console and the administration
// against the real team server, which hosts the signed website-chat plugin
// (WEBCHAT_PKG, trusted by WEBCHAT_PUB) so the channel settings form is
// drawn from the schema the real connector describes.
//
// Two dev builds of the app: S is sofia@ (supervisor), D is admin@ and,
// at the end, anna@ (operator). The tests run in order and share them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TeamServer, DesktopApp, launchBrowser, openPage, signIn, eventually, freePort } from "./harness.mjs";

let server, appS, appD, browser;
let S, D;

before(async () => {
  server = new TeamServer();
  server.installPlugin(process.env.WEBCHAT_PKG, process.env.WEBCHAT_PUB);
  await server.start();
  appS = new DesktopApp("sofia", server.url);
  appD = new DesktopApp("admin", server.url);
  await Promise.all([appS.start(), appD.start()]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([appS?.close(), appD?.close()]);
  await server?.close();
});

const logs = () =>
  [`--- server\n${server.log.join("").slice(-4000)}`, `--- app S\n${appS.log.join("").slice(-3000)}`, `--- app D\n${appD.log.join("").slice(-3000)}`].join("\n");

const headers = (page) => page.locator("[data-testid=dialog-table] [role=columnheader]").evaluateAll((els) => els.map((e) => e.dataset.testid.slice(4)));
const column = (page, col) => page.locator(`[data-testid=table-row] [data-col=${col}]`).allTextContents();
const total = async (page) => Number((await page.getByTestId("table-total").textContent()).replace(/\D/g, ""));

async function openConsole(page) {
  await page.getByTestId("open-console").click();
  await page.getByTestId("console").waitFor();
}

test("sofia's dialog table sorts, filters, and keeps its columns and sort across an app restart", async () => {
  S = await openPage(browser, appS, "en-US");
  await signIn(S.page, "sofia");
  await openConsole(S.page);
  // The demo workspace's eleven dialogs, once the sync has brought them.
  await eventually(async () => (await total(S.page)) === 11 && (await S.page.getByTestId("table-row").count()) === 11, () => `the table never showed 11 dialogs\n${logs()}`);

  // Sorted by number, newest first, until a click sorts ascending.
  const numbers = async () => (await column(S.page, "number")).map((s) => Number(s.slice(1)));
  assert.deepEqual(await numbers(), [...(await numbers())].sort((a, b) => b - a));
  await S.page.getByTestId("col-number").click();
  await eventually(async () => {
    const n = await numbers();
    return n.length === 11 && n.every((v, i) => i === 0 || n[i - 1] < v);
  }, "sorting by number ascending");
  assert.equal(await S.page.getByTestId("col-number").getAttribute("aria-sort"), "ascending");

  // Hostile client names are text, never markup.
  assert.ok((await column(S.page, "client")).includes("<img src=x onerror=alert(1)>"));

  // Filters: the unassigned dialogs of the e-mail channel.
  await S.page.getByTestId("filter-status").selectOption("unassigned");
  await eventually(async () => (await total(S.page)) === 4, "four unassigned dialogs");
  assert.deepEqual([...new Set(await column(S.page, "status"))], ["Unassigned"]);
  await S.page.getByTestId("filter-channel").selectOption({ label: "support@demo.switchboard" });
  await eventually(async () => (await total(S.page)) === 1 && (await column(S.page, "client"))[0] === "John Carter", "John Carter's dialog alone");
  await S.page.getByTestId("filter-channel").selectOption("");
  await S.page.getByTestId("filter-status").selectOption("");
  await eventually(async () => (await total(S.page)) === 11, "the filters cleared");

  // Choose columns, drag one to the front, sort by first response.
  await S.page.getByTestId("columns-button").click();
  await S.page.getByTestId("choose-detailed").check();
  await S.page.getByTestId("choose-channel").uncheck();
  await S.page.getByTestId("col-operator").dragTo(S.page.getByTestId("col-number"));
  await S.page.getByTestId("col-firstResponse").click();
  const want = ["operator", "number", "client", "line", "status", "created", "firstResponse", "lastMessage", "detailed"];
  await eventually(async () => JSON.stringify(await headers(S.page)) === JSON.stringify(want), async () => `headers ${JSON.stringify(await headers(S.page))}`);

  // Restart the app: the same columns, order and sort.
  await S.context.close();
  await appS.stop();
  await appS.start();
  S = await openPage(browser, appS, "en-US");
  await signIn(S.page, "sofia");
  await openConsole(S.page);
  await eventually(async () => (await S.page.getByTestId("table-row").count()) === 11, "the table after the restart");
  assert.deepEqual(await headers(S.page), want);
  assert.equal(await S.page.getByTestId("col-firstResponse").getAttribute("aria-sort"), "ascending");

  // A row opens its dialog.
  await S.page.locator("[data-testid=table-row]", { hasText: "John Carter" }).click();
  await S.page.getByTestId("conversation").waitFor();
  await S.page.getByTestId("message").filter({ hasText: "INV-2291" }).first().waitFor();
  assert.deepEqual(S.problems, []);
});

test("an admin creates an operator in the app, who can then sign in", async () => {
  D = await openPage(browser, appD, "en-US");
  await signIn(D.page, "admin");
  await openConsole(D.page);
  await D.page.getByTestId("console-admin").click();
  await D.page.getByTestId("operators-new").click();
  const form = D.page.getByTestId("operator-form");
  await form.locator("input[name=name]").fill("Olga Kovalenko");
  await form.locator("input[name=email]").fill("olga at demo");
  await form.locator("select[name=role]").selectOption("operator");
  await form.locator("input[name=password]").fill("olga-pass-1");
  await D.page.getByTestId("operator-save").click();
  // The server refuses the address; the form says which field.
  await form.locator(".field.invalid input[name=email]").waitFor();
  await form.locator("input[name=email]").fill("olga@demo.switchboard");
  await D.page.getByTestId("operator-save").click();
  await D.page.getByTestId("form-saved").waitFor();
  await D.page.getByTestId("operators-item").filter({ hasText: "Olga Kovalenko" }).waitFor();

  const { token, operatorId } = await server.request("POST", "/api/v1/auth/login", { body: { email: "olga@demo.switchboard", password: "olga-pass-1" } });
  assert.ok(token && operatorId.startsWith("op-"), `olga signed in as ${operatorId}`);
});

test("a channel's settings, drawn from the connector's schema, refuse a bad field and reach the server", async () => {
  await D.page.getByTestId("admin-channels").click();
  await D.page.locator("[data-testid=channels-item][data-id=ch-webchat]").click();
  const settings = D.page.getByTestId("channel-settings");
  const form = settings.getByTestId("schema-form");
  await form.waitFor();
  // The form is the connector's own: its required listen address, its title.
  assert.equal(await form.locator("input[name=listen]").inputValue(), "127.0.0.1:8090");
  assert.equal(await form.locator("input[name=title]").inputValue(), "Demo Shop");
  const state = D.page.locator("[data-testid=channels-item][data-id=ch-webchat] [data-testid=channel-state]");
  assert.ok(["Active", "Failed"].includes(await state.textContent()));

  const admin = `Bearer ${await server.token("admin")}`;
  const stored = () => server.request("GET", "/api/v1/admin/channels/ch-webchat/settings", { auth: admin });
  const before = await stored();

  // A missing required field is refused, and nothing is saved.
  await form.locator("input[name=listen]").fill("");
  await settings.getByTestId("settings-save").click();
  await form.locator(".field.invalid input[name=listen]").waitFor();
  assert.equal(await form.locator(".field-error").first().textContent(), "Required.");
  assert.deepEqual(await stored(), before);

  const listen = `127.0.0.1:${await freePort()}`;
  await form.locator("input[name=listen]").fill(listen);
  await form.locator("input[name=title]").fill("Support chat");
  await form.locator("textarea[name=allowed_origins]").fill("shop.example\nhelp.example");
  await settings.getByTestId("settings-save").click();
  await settings.getByTestId("settings-saved").waitFor();
  assert.deepEqual(await stored(), { listen, title: "Support chat", allowed_origins: ["shop.example", "help.example"] });
  assert.deepEqual(D.problems, []);
});

test("anna, an operator, has no console and the admin API refuses her", async () => {
  await D.page.getByRole("button", { name: "Sign out" }).click();
  await signIn(D.page, "anna");
  await D.page.getByTestId("tab-mine").waitFor();
  assert.equal(await D.page.getByTestId("open-console").count(), 0);
  const refused = await D.page.evaluate(async () => {
    const codes = [];
    for (const call of [() => window.go.app.Admin.Org(), () => window.go.app.Supervisor.Table({}), () => window.go.app.Admin.SaveChannelSettings("ch-webchat", {})]) {
      try {
        await call();
        codes.push("allowed");
      } catch (e) {
        codes.push(JSON.parse(String(e.message ?? e)).code);
      }
    }
    return codes;
  });
  assert.deepEqual(refused, ["auth.forbidden", "auth.forbidden", "auth.forbidden"]);
});
