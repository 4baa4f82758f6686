// End-to-end tests of the client card against the real team server.
//
// One switchboard-server (SERVER_BIN) with the demo workspace and one
// operator, taras@ (line Підтримка: WhatsApp and the site chat), in a dev
// build of the app (APP_BIN) under Xvfb, driven through Chromium. Taras's
// dl-demo-04 is Ірина Мельник on the site chat; she also wrote earlier on
// WhatsApp (dl-demo-11): one client on two channels.
//
// The tests run in order and share the session.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TeamServer, DesktopApp, launchBrowser, openPage, signIn, eventually } from "./harness.mjs";

let server, app, browser;
/** The signed-in page: { context, page, problems }. */
let T;

before(async () => {
  server = new TeamServer();
  await server.start();
  app = new DesktopApp("clientcard", server.url);
  await app.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.close();
  await server?.close();
});

const logs = () => [`--- server\n${server.log.join("").slice(-4000)}`, `--- app\n${app.log.join("").slice(-4000)}`].join("\n");

const row = (page, dialogId) => page.locator(`[data-testid=dialog-row][data-dialog-id="${dialogId}"]`);
const card = () => T.page.getByTestId("client-card");

/** The newest version of an entity the server sends `who`, or undefined. */
async function serverHas(who, kind, id) {
  const auth = `Bearer ${await server.token(who)}`;
  let after = 0;
  let found;
  for (;;) {
    const p = await server.request("GET", `/api/v1/sync/pull?after=${after}`, { auth });
    for (const c of p.changes) if (c.kind === kind && c.id === id) found = c.op === "put" ? c.data : undefined;
    after = p.next;
    if (!p.more) return found;
  }
}

/** Opens a dialog of one of Taras's tabs (Mine holds dl-demo-04, Snoozed dl-demo-08). */
async function openDialog(tab, dialogId) {
  await T.page.getByTestId(`tab-${tab}`).click();
  await row(T.page, dialogId).click();
  await T.page.getByTestId("conversation").waitFor();
  await card().waitFor();
}

test("taras opens Ірина's card from the conversation; renaming keeps her original name", async () => {
  T = await openPage(browser, app, "en-US");
  await signIn(T.page, "taras");
  await openDialog("mine", "dl-demo-04");

  // The header's button closes and opens the card.
  await T.page.getByTestId("toggle-client-card").click();
  await card().waitFor({ state: "detached" });
  await T.page.getByTestId("toggle-client-card").click();
  await card().waitFor();
  assert.equal(await card().locator(".client-card-name").textContent(), "Ірина Мельник");
  assert.equal(await card().getByTestId("client-original").count(), 0);

  await card().getByTestId("client-rename").click();
  await card().getByTestId("client-name-input").fill("Ірина (VIP)");
  await card().getByTestId("client-name-save").click();
  await card().locator(".client-card-name", { hasText: "Ірина (VIP)" }).waitFor();
  assert.equal(await card().getByTestId("client-original").textContent(), "originally Ірина Мельник");
  await row(T.page, "dl-demo-04").locator(".client-name", { hasText: "Ірина (VIP)" }).waitFor();
  const c = await eventually(
    async () => {
      const c = await serverHas("taras", "client", "cl-demo-04");
      return c?.displayName === "Ірина (VIP)" && c;
    },
    () => `the server never held the new name\n${logs()}`,
  );
  assert.equal(c.originalName, "Ірина Мельник");
});

test("a bad phone number is refused in words and kept for fixing; a good one is added", async () => {
  await card().getByTestId("contact-add").click();
  const form = card().getByTestId("contact-form");
  await form.getByTestId("contact-channel").selectOption({ label: "WhatsApp +380 44 000 00 00" });
  await form.getByTestId("contact-value").fill("12-34");
  await form.getByTestId("contact-save").click();
  const err = form.getByTestId("contact-error");
  await err.waitFor();
  assert.equal(await err.textContent(), "Write the phone number in international format: + and 8 to 15 digits, e.g. +380671234567.");
  assert.equal(await form.getByTestId("contact-value").inputValue(), "12-34");

  await form.getByTestId("contact-value").fill("+38 093 555 12 34");
  await form.getByTestId("contact-save").click();
  await form.waitFor({ state: "detached" });
  const added = card().getByTestId("contact").filter({ hasText: "+380935551234" });
  await added.waitFor();
  assert.equal(await added.getByTestId("contact-edit").count(), 1, "a typed contact may be edited");
  const c = await eventually(
    async () => {
      const c = await serverHas("taras", "client", "cl-demo-04");
      return c?.contacts.some((k) => k.externalId === "+380935551234" && k.manual) && c;
    },
    () => `the server never held the new contact\n${logs()}`,
  );
  // The channels' own contacts are kept, and cannot be edited.
  assert.deepEqual(c.contacts.map((k) => k.externalId).sort(), ["+380931112233", "+380935551234", "visitor-7f3a"]);
  assert.equal(await card().getByTestId("contact").filter({ hasText: "visitor-7f3a" }).getByTestId("contact-edit").count(), 0);
});

test("the card lists her dialogs on both channels and the unified history holds both", async () => {
  const dialogs = card().getByTestId("client-dialog");
  await eventually(async () => (await dialogs.count()) === 2, "both of Ірина's dialogs in the card");
  assert.deepEqual(await dialogs.evaluateAll((els) => els.map((e) => e.dataset.dialogId).sort()), ["dl-demo-04", "dl-demo-11"]);

  await card().getByTestId("open-history").click();
  const history = T.page.getByTestId("unified-history");
  await history.waitFor();
  const items = history.getByTestId("history-item");
  await items.filter({ hasText: "Добрий день! Замовлення №5120 ще не відправили?" }).waitFor();
  await items.filter({ hasText: "Привіт! Чи можна змінити адресу доставки?" }).waitFor();
  const channels = await items.evaluateAll((els) => [...new Set(els.map((e) => e.dataset.channel))].sort());
  assert.deepEqual(channels, ["webchat", "whatsapp"]);
  // Oldest first: the WhatsApp dialog came two days before the chat.
  const texts = await items.locator(".message-text").allTextContents();
  assert.ok(texts.indexOf("Добрий день! Замовлення №5120 ще не відправили?") < texts.indexOf("Привіт! Чи можна змінити адресу доставки?"), texts.join(" | "));
  await history.getByTestId("close-history").click();
  await history.waitFor({ state: "detached" });
});

test("a task due today puts Ірина under Important with a counter; completing it takes her off", async () => {
  const important = T.page.getByTestId("count-important");
  assert.equal(await important.textContent(), "0");
  await card().getByTestId("task-add").click();
  const form = card().getByTestId("task-form");
  await form.getByTestId("task-text").fill("Send Ірина the waybill number");
  await form.getByTestId("task-save").click();
  await form.waitFor({ state: "detached" });
  const task = card().getByTestId("task").filter({ hasText: "Send Ірина the waybill number" });
  await task.waitFor();

  await important.getByText("1", { exact: true }).waitFor();
  await T.page.getByTestId("tab-important").click();
  const entry = T.page.locator("[data-testid=important-row][data-client-id=cl-demo-04]");
  await entry.waitFor();
  assert.equal(await entry.locator(".client-name").textContent(), "Ірина (VIP)");
  assert.equal(await entry.locator(".last-text").textContent(), "Send Ірина the waybill number");
  await eventually(async () => (await serverHas("taras", "task", await taskId(task)))?.done === false, () => `the server never held the task\n${logs()}`);

  // The row opens her latest dialog, with the card.
  await entry.click();
  await card().getByTestId("task").first().waitFor();
  await card().getByTestId("task").filter({ hasText: "Send Ірина the waybill number" }).getByTestId("task-done").check();
  await important.getByText("0", { exact: true }).waitFor();
  await entry.waitFor({ state: "detached" });
  await T.page.getByText("No client has a task of yours due today.").waitFor();
  const id = await taskId(card().getByTestId("task").first());
  await eventually(async () => (await serverHas("taras", "task", id))?.done === true, () => `the server never marked the task done\n${logs()}`);
});

/** A task's id, as the server knows it: the newest task the server sends Taras with that text. */
async function taskId(taskLocator) {
  const text = await taskLocator.locator(".task-text").textContent();
  const auth = `Bearer ${await server.token("taras")}`;
  let after = 0;
  let id;
  for (;;) {
    const p = await server.request("GET", `/api/v1/sync/pull?after=${after}`, { auth });
    for (const c of p.changes) if (c.kind === "task" && c.op === "put" && c.data.text === text) id = c.id;
    after = p.next;
    if (!p.more) return id;
  }
}

test("folded sections stay folded after the card is closed and reopened, on another client, and after a reload", async () => {
  await openDialog("mine", "dl-demo-04");
  const section = (id) => card().getByTestId(`card-section-${id}`);
  for (const id of ["contacts", "tasks"]) {
    await card().getByTestId(`fold-${id}`).click();
    assert.equal(await section(id).getAttribute("data-folded"), "true");
  }
  assert.equal(await section("contacts").getByTestId("contact").count(), 0, "a folded section shows nothing");
  assert.equal(await section("dialogs").getAttribute("data-folded"), "false");

  await T.page.getByTestId("toggle-client-card").click();
  await card().waitFor({ state: "detached" });
  await T.page.getByTestId("toggle-client-card").click();
  await card().waitFor();
  for (const [id, folded] of [["contacts", "true"], ["tasks", "true"], ["dialogs", "false"], ["notes", "false"]]) {
    assert.equal(await section(id).getAttribute("data-folded"), folded, `${id} after reopening`);
  }

  // Another client's card, then the app's page loaded afresh.
  await openDialog("snoozed", "dl-demo-08");
  await card().locator(".client-card-name", { hasText: "Наталія Кравець" }).waitFor();
  assert.equal(await section("contacts").getAttribute("data-folded"), "true");
  await T.page.reload();
  await T.page.getByTestId("tab-mine").waitFor({ timeout: 30_000 });
  await openDialog("mine", "dl-demo-04");
  assert.equal(await section("contacts").getAttribute("data-folded"), "true");
  assert.equal(await section("tasks").getAttribute("data-folded"), "true");

  // Unfolding brings the section back.
  await card().getByTestId("fold-contacts").click();
  await section("contacts").getByTestId("contact").first().waitFor();
  assert.deepEqual(T.problems, []);
});
