// The composer end to end: drafts kept across an app restart, a reply to a
// customer's message that the website-chat customer sees as a reply, the
// operator's edit and delete reaching the customer, actions a channel does
// not allow shown disabled with the reason, and the emoji picker.
//
// The team server hosts the real, signed webchat plugin (as in
// webchat.test.mjs); taras@ works Підтримка, the chat's line. The tests run
// in order and share the server, the app and the customer.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TeamServer, DesktopApp, launchBrowser, openPage, openChatCustomer, signIn, eventually, freePort } from "./harness.mjs";

let server, app, browser, op, chatUrl, customer;

before(async () => {
  for (const v of ["WEBCHAT_PKG", "WEBCHAT_TRUSTED", "PLUGIN_TOOL"]) assert.ok(process.env[v], `${v} must be set`);
  server = new TeamServer();
  server.installPlugin(process.env.WEBCHAT_PKG, process.env.WEBCHAT_TRUSTED);
  await server.start();
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
  await signIn(op.page, "taras");
});

after(async () => {
  await browser?.close();
  await app?.close();
  await server?.close();
});

const logs = () => `--- server\n${server.log.join("").slice(-6000)}\n--- app\n${app.log.join("").slice(-3000)}`;

const row = (dialogId) => op.page.locator(`[data-testid=dialog-row][data-dialog-id="${dialogId}"]`);
const bubble = (text) => op.page.getByTestId("message").filter({ hasText: text });
const composerText = () => op.page.getByTestId("composer-text");

async function openDialog(tab, dialogId) {
  await op.page.getByTestId(`tab-${tab}`).click();
  await row(dialogId).click();
  await op.page.locator(".conversation-title").waitFor();
}

test("a draft survives an app restart and shows its mark in the dialog list", async () => {
  // dl-demo-04 (Ірина Мельник, the website chat) is taras's own dialog.
  await openDialog("mine", "dl-demo-04");
  const draft = "Ірино, перевіряю адресу <b>Хрещатик</b>, 22…";
  await composerText().fill(draft);
  await row("dl-demo-04").getByTestId("draft-mark").waitFor({ timeout: 15_000 });

  // Another dialog (his snoozed one) has its own, empty composer; coming
  // back brings the draft.
  await openDialog("snoozed", "dl-demo-08");
  assert.equal(await composerText().inputValue(), "");
  await openDialog("mine", "dl-demo-04");
  // The draft is read from the replica as the dialog opens: wait for it.
  await eventually(async () => (await composerText().inputValue()) === draft, async () => `the draft did not come back; the composer holds ${JSON.stringify(await composerText().inputValue())}`);

  // Quit the app and start it again.
  await op.context.close();
  await app.stop();
  await app.start();
  op = await openPage(browser, app, "en-US");
  await signIn(op.page, "taras");
  await op.page.getByTestId("tab-mine").click();
  await row("dl-demo-04").getByTestId("draft-mark").waitFor({ timeout: 30_000 });
  assert.equal(await op.page.getByTestId("draft-mark").count(), 1, "only the dialog with a draft is marked");
  await row("dl-demo-04").click();
  await eventually(async () => (await composerText().inputValue()) === draft, async () => `the draft did not come back; the composer holds ${JSON.stringify(await composerText().inputValue())}`);

  // Emptied, the draft and its mark go.
  await composerText().fill("");
  await row("dl-demo-04").getByTestId("draft-mark").waitFor({ state: "detached", timeout: 15_000 });
  assert.deepEqual(op.problems, []);
});

let dialogId, answerId;
const question = "Can you deliver to Kyiv instead of Lviv?";
const answer = "Yes, we can — the courier will bring it to Kyiv on Friday.";

test("a reply to the customer's message is quoted and reaches the website-chat customer as a reply", async () => {
  customer = await openChatCustomer(browser, chatUrl, "Olena", logs);
  await customer.page.locator("#text").fill(question);
  await customer.page.locator("#composer button").click();
  await customer.page.locator("#lines li.visitor").filter({ hasText: question }).waitFor();

  await op.page.getByTestId("tab-unassigned").click();
  const r = op.page.getByTestId("dialog-row").filter({ hasText: "Olena" });
  await eventually(async () => (await r.count()) === 1, () => `the customer's dialog never reached the operator\n${logs()}`);
  dialogId = await r.getAttribute("data-dialog-id");
  await r.click();
  await op.page.getByTestId("action-take").click();
  await op.page.getByTestId("composer-kind-outbound").waitFor();

  // Reply, cancel with Esc, reply again.
  const asked = op.page.locator("[data-testid=message][data-kind=inbound]").filter({ hasText: question });
  await asked.getByTestId("message-reply").click();
  const quoteBar = op.page.getByTestId("composer-reply");
  await quoteBar.waitFor();
  assert.match(await quoteBar.textContent(), /Olena/);
  assert.match(await quoteBar.textContent(), /deliver to Kyiv/);
  await composerText().press("Escape");
  await quoteBar.waitFor({ state: "detached" });
  await asked.getByTestId("message-reply").click();
  await op.page.getByTestId("composer-reply-cancel").click();
  await quoteBar.waitFor({ state: "detached" });
  await asked.getByTestId("message-reply").click();
  await quoteBar.waitFor();

  await composerText().fill(answer);
  // The reply in progress is a draft like any other...
  await op.page.getByTestId("tab-mine").click();
  await row(dialogId).getByTestId("draft-mark").waitFor({ timeout: 15_000 });
  await op.page.getByTestId("composer-send").click();
  // ...which sending clears.
  await row(dialogId).getByTestId("draft-mark").waitFor({ state: "detached", timeout: 15_000 });
  await quoteBar.waitFor({ state: "detached" });
  assert.equal(await composerText().inputValue(), "");

  // The timeline quotes the customer's message; a click shows the original.
  const sent = bubble(answer);
  await sent.waitFor();
  answerId = await sent.getAttribute("data-message-id");
  const quote = sent.getByTestId("message-quote");
  assert.match(await quote.textContent(), /Olena/);
  assert.match(await quote.textContent(), /deliver to Kyiv/);
  await quote.click();
  await eventually(async () => (await asked.getAttribute("class")).includes("flash"), "clicking the quote did not show the original");
  assert.ok(await asked.isVisible());

  // The server holds it as a reply to the customer's message...
  const inboundId = await asked.getAttribute("data-message-id");
  await eventually(
    async () => (await server.messages("taras", dialogId)).find((m) => m.id === answerId)?.replyToId === inboundId,
    async () => `the server does not hold the answer as a reply: ${JSON.stringify(await server.messages("taras", dialogId))}`,
  );
  // ...and the customer sees it quoting the question.
  const line = customer.page.locator("#lines li.operator").filter({ hasText: answer });
  await eventually(
    async () => (await line.count()) === 1,
    async () => `the answer never reached the customer: ${JSON.stringify(await customer.page.locator("#lines li").allTextContents())}\n${logs()}`,
  );
  assert.equal(await line.locator(".quote").textContent(), question);
  assert.deepEqual(op.problems, []);
});

test("the operator's edit and delete reach the customer", async () => {
  const edited = "Yes, we can — the courier will bring it to Kyiv on Saturday.";
  const sent = op.page.locator(`[data-testid=message][data-message-id="${answerId}"]`);
  await eventually(
    async () => (await server.messages("taras", dialogId)).find((m) => m.id === answerId)?.delivery === "delivered",
    "the answer was never delivered",
  );
  const edit = sent.getByTestId("message-edit");
  assert.equal(await edit.isEnabled(), true);
  assert.equal(await edit.getAttribute("title"), "Edit", "the website chat edits without a time limit");
  await edit.click();
  await sent.getByTestId("message-edit-text").fill(edited);
  await sent.getByTestId("message-edit-save").click();
  await sent.locator(".message-text").filter({ hasText: edited }).waitFor();
  await sent.getByTestId("message-edited").waitFor();

  const line = customer.page.locator(`#lines li[data-id^="op-"]`);
  await eventually(
    async () => (await line.locator(".body").textContent()) === edited && (await line.locator(".edited").count()) === 1,
    async () => `the edit never reached the customer: ${JSON.stringify(await line.allTextContents())}\n${logs()}`,
  );
  await eventually(
    async () => (await server.messages("taras", dialogId)).find((m) => m.id === answerId)?.changeDelivery === "sent",
    "the edit's delivery was never recorded",
  );

  await sent.getByTestId("message-delete").click();
  await sent.getByTestId("message-delete-confirm").click();
  await sent.locator(".message-text").filter({ hasText: "Message deleted" }).waitFor();
  assert.equal(await sent.getByTestId("message-edit").count(), 0, "a deleted message has no actions");
  await eventually(
    async () => (await line.getAttribute("class")).includes("deleted") && (await line.locator(".body").textContent()) === "Message deleted",
    async () => `the delete never reached the customer: ${JSON.stringify(await line.allTextContents())}\n${logs()}`,
  );
  const m = await eventually(async () => {
    const x = (await server.messages("taras", dialogId)).find((y) => y.id === answerId);
    return x?.deletedAt && x.changeDelivery === "sent" && x;
  }, "the delete's delivery was never recorded");
  assert.equal(m.text, "");
  assert.ok(!(await customer.page.locator("#lines").textContent()).includes("Saturday"), "the customer's page keeps no deleted text");
  assert.deepEqual(customer.problems, []);
  assert.deepEqual(op.problems, []);
});

test("edit and delete are disabled with the reason where the channel cannot do them", async () => {
  // dl-demo-03 is on WhatsApp, whose connector is not installed here: the
  // channel has described no capabilities, so nothing may be changed there.
  await openDialog("unassigned", "dl-demo-03");
  await op.page.getByTestId("action-take").click();
  await op.page.getByTestId("composer-kind-outbound").waitFor();
  const text = "Олексію, надішліть, будь ласка, ваш e-mail.";
  await composerText().fill(text);
  await op.page.getByTestId("composer-send").click();
  const sent = bubble(text);
  await sent.waitFor();
  const edit = sent.getByTestId("message-edit");
  const del = sent.getByTestId("message-delete");
  await eventually(async () => !(await edit.isEnabled()) && !(await del.isEnabled()), "edit and delete stayed enabled");
  assert.equal(await edit.getAttribute("title"), "This channel cannot edit sent messages.");
  assert.equal(await del.getAttribute("title"), "This channel cannot delete sent messages.");
  // The customer's messages can be answered, never changed.
  const theirs = bubble("Не можу увійти");
  assert.equal(await theirs.getByTestId("message-reply").count(), 1);
  assert.equal(await theirs.getByTestId("message-edit").count(), 0);
});

test("on WhatsApp the operator sends an approved template: name, language, parameters", async () => {
  // dl-demo-03 is taras's WhatsApp dialog now (the test above took it).
  const form = op.page.getByTestId("channel-template");
  await op.page.getByTestId("channel-template-open").click();
  await form.waitFor();
  assert.equal(await op.page.getByTestId("channel-template-language").inputValue(), "en", "the language defaults to the UI's");
  await op.page.getByTestId("channel-template-name").fill("order_update");
  for (const v of ["Олексій", "<b>12345</b>", "spare"]) {
    await op.page.getByTestId("channel-template-param-add").click();
    await op.page.getByTestId("channel-template-param").last().fill(v);
  }
  await op.page.getByTestId("channel-template-param-remove").last().click();
  // A language code no channel has is refused in words; nothing is sent.
  await op.page.getByTestId("channel-template-language").fill("x".repeat(40));
  await op.page.getByTestId("channel-template-send").click();
  await op.page.getByTestId("channel-template-error").waitFor();
  assert.match(await op.page.getByTestId("channel-template-error").textContent(), /name and language code/);
  assert.equal(await bubble("Template: order_update").count(), 0);

  await op.page.getByTestId("channel-template-language").fill("uk");
  await op.page.getByTestId("channel-template-send").click();
  await form.waitFor({ state: "detached" });
  const sent = bubble("Template: order_update (uk) — 1: Олексій, 2: <b>12345</b>");
  await sent.waitFor();
  assert.equal(await sent.locator("b").count(), 0, "a parameter is shown as text, never as HTML");
  assert.deepEqual(op.problems, []);
});

test("the emoji picker finds an emoji by its Russian name and inserts it at the caret", async () => {
  await composerText().fill("Your  is on its way");
  await composerText().evaluate((el) => el.setSelectionRange(5, 5));
  await op.page.getByTestId("emoji-button").click();
  const picker = op.page.getByTestId("emoji-picker");
  await picker.waitFor();
  assert.ok((await picker.locator("h4").count()) >= 5, "the picker shows its groups");
  await op.page.getByTestId("emoji-search").fill("посыл");
  const options = picker.getByTestId("emoji-option");
  assert.deepEqual(await options.allTextContents(), ["📦"]);
  await options.first().click();
  await picker.waitFor({ state: "detached" });
  assert.equal(await composerText().inputValue(), "Your 📦 is on its way");
  // The caret stays right after the emoji: typing goes on from there.
  await composerText().press("!");
  assert.equal(await composerText().inputValue(), "Your 📦! is on its way");
  // Ukrainian and English names find it too.
  await op.page.getByTestId("emoji-button").click();
  for (const q of ["посилка", "parcel"]) {
    await op.page.getByTestId("emoji-search").fill(q);
    assert.deepEqual(await picker.getByTestId("emoji-option").allTextContents(), ["📦"], `search ${q}`);
  }
  await op.page.getByTestId("emoji-search").press("Escape");
  await picker.waitFor({ state: "detached" });
  assert.deepEqual(op.problems, []);
});
