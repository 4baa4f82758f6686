// The dialog's lifecycle actions end to end: snoozing (woken by the
// server's clock, or by the customer writing), pinning a client to an
// operator, the blacklist, spam, and writing first to a known client.
//
// One switchboard-server with the demo workspace and --dev-clock (so the
// test moves the server's time instead of waiting), and two desktop apps:
// A is anna@ (an operator of Продажи and International, English), B is
// sofia@ (the supervisor, Russian). Customers write through the server's
// inbound API, as a connector host posts them. The tests run in order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TeamServer, DesktopApp, launchBrowser, openPage, signIn, eventually } from "./harness.mjs";

let server, appA, appB, browser;
/** The signed-in pages: { context, page, problems }. */
let A, B;

before(async () => {
  server = new TeamServer({ devClock: true });
  await server.start();
  appA = new DesktopApp("anna", server.url);
  appB = new DesktopApp("sofia", server.url);
  await Promise.all([appA.start(), appB.start()]);
  browser = await launchBrowser();
  A = await openPage(browser, appA, "en-US");
  B = await openPage(browser, appB, "ru-RU");
  await Promise.all([signIn(A.page, "anna"), signIn(B.page, "sofia")]);
});

after(async () => {
  await browser?.close();
  await Promise.all([appA?.close(), appB?.close()]);
  await server?.close();
});

const logs = () =>
  [
    `--- server\n${server.log.join("").slice(-4000)}`,
    `--- app A\n${appA.log.join("").slice(-3000)}`,
    `--- app B\n${appB.log.join("").slice(-3000)}`,
  ].join("\n");

const row = (page, dialogId) => page.locator(`[data-testid=dialog-row][data-dialog-id="${dialogId}"]`);
const rowOf = (page, client) => page.getByTestId("dialog-row").filter({ hasText: client });

/** A customer writes on a channel (the server's inbound API, as a connector host posts it). */
async function customerWrites(channelId, contact, name, text) {
  await server.ingest([
    {
      id: crypto.randomUUID(),
      type: "inbound.message",
      payload: { channelId, externalId: `e2e-${crypto.randomUUID()}`, contact: { externalId: contact, name }, text },
    },
  ]);
}

/** Waits until the server's dialog satisfies ok; returns it. */
async function serverDialog(id, ok, what) {
  return eventually(
    async () => {
      const d = await server.dialog("sofia", id);
      return ok(d) && d;
    },
    async () => `${what}: the server has ${JSON.stringify(await server.dialog("sofia", id).catch((e) => e.message))}\n${logs()}`,
  );
}

async function openTab(page, tab) {
  await page.getByTestId(`tab-${tab}`).click();
}

/**
 * Checks that Sofia's Unassigned queue leaves the dialog out, once her
 * replica holds its current version (shown in her All tab with the status
 * in Russian): the queue is then read fresh from the same replica.
 */
async function notInSofiasQueue(id, status) {
  await openTab(B.page, "all");
  await row(B.page, id).locator(".status").getByText(status, { exact: true }).waitFor({ timeout: 30_000 });
  await openTab(B.page, "unassigned");
  await row(B.page, "dl-demo-01").waitFor(); // the queue has rendered
  assert.equal(await row(B.page, id).count(), 0, `dialog ${id} is in the supervisor's Unassigned`);
}

test("a dialog snoozed for an hour goes to Snoozed and comes back when the server's clock passes the hour", async () => {
  await openTab(A.page, "mine");
  await row(A.page, "dl-demo-02").click();
  await A.page.getByTestId("action-snooze").click();
  await A.page.getByTestId("snooze-hour").click();
  // At once in A's window (optimistic), then at the server.
  await row(A.page, "dl-demo-02").waitFor({ state: "detached", timeout: 5_000 });
  await A.page.getByTestId("snoozed-until").waitFor();
  const snoozed = await serverDialog("dl-demo-02", (d) => d.status === "snoozed", "the snooze never reached the server");
  assert.ok(snoozed.snoozedUntil, "snoozed until a time");
  await openTab(A.page, "snoozed");
  await row(A.page, "dl-demo-02").waitFor();

  // 59 minutes on, it still sleeps; past the hour the server wakes it.
  await server.advanceClock("59m");
  assert.equal((await server.dialog("sofia", "dl-demo-02")).status, "snoozed");
  await server.advanceClock("2m");
  await serverDialog("dl-demo-02", (d) => d.status === "in_progress" && d.assigneeId === "op-anna", "the timer never woke the dialog");
  await row(A.page, "dl-demo-02").waitFor({ state: "detached", timeout: 30_000 });
  await openTab(A.page, "mine");
  await row(A.page, "dl-demo-02").waitFor({ timeout: 30_000 });
  await A.page.getByTestId("event-line").filter({ hasText: "The dialog woke up" }).waitFor();
});

test("a dialog snoozed until the client writes comes back with the client's message", async () => {
  await row(A.page, "dl-demo-02").click();
  await A.page.getByTestId("action-snooze").click();
  await A.page.getByTestId("snooze-forever").click();
  await A.page.getByTestId("snoozed-until").getByText("Snoozed until the client writes").waitFor();
  const d = await serverDialog("dl-demo-02", (d) => d.status === "snoozed", "the snooze never reached the server");
  assert.equal(d.snoozedUntil, undefined, "no wake time: it waits for the client");
  await row(A.page, "dl-demo-02").waitFor({ state: "detached", timeout: 5_000 });

  const text = "Are you there? My parcel still has not arrived.";
  await customerWrites("ch-telegram", "@igor_p", "Игорь Петров", text);
  await serverDialog("dl-demo-02", (d) => d.status === "in_progress" && d.assigneeId === "op-anna", "the client's message never woke the dialog");
  await row(A.page, "dl-demo-02").waitFor({ timeout: 30_000 });
  await row(A.page, "dl-demo-02").click();
  await A.page.getByTestId("message").filter({ hasText: text }).waitFor();
});

test("a client pinned to an operator comes back to her Mine, also after a colleague closed the dialog", async () => {
  await customerWrites("ch-email", "pinned@example.com", "Pinned Customer", "Hello, about my contract renewal.");
  await openTab(A.page, "unassigned");
  const first = rowOf(A.page, "Pinned Customer");
  await first.waitFor({ timeout: 30_000 });
  const id = await first.getAttribute("data-dialog-id");
  await first.click();
  await A.page.getByTestId("action-take").click();

  // The seeds' labels: "Pin (name)" for the operator herself...
  const pin = A.page.getByTestId("client-pin");
  await eventually(async () => (await pin.textContent()) === "Pin (Анна Смирнова)", async () => `pin control says ${await pin.textContent()}`);
  await pin.click();
  await eventually(async () => (await pin.textContent()) === "Unpin (Анна Смирнова)", async () => `pin control says ${await pin.textContent()}`);
  // ...and "Unpin (pinned to name)" for the supervisor, who may unpin anyone's.
  await openTab(B.page, "all");
  await row(B.page, id).click();
  const bPin = B.page.getByTestId("client-pin");
  await eventually(
    async () => (await bPin.textContent()) === "Открепить (закреплён за Анна Смирнова)",
    async () => `B's pin control says ${await bPin.textContent()}\n${logs()}`,
  );

  // Anna hands the dialog to James, who closes it.
  await A.page.getByLabel("Assign to…").selectOption("op-james");
  await serverDialog(id, (d) => d.assigneeId === "op-james", "the assignment never reached the server");
  await server.commands("james", [{ type: "dialog.close", payload: { dialogId: id } }]);
  await serverDialog(id, (d) => d.status === "closed", "James's close never reached the server");

  // The client writes again: the dialog reopens to Anna, not to James and
  // not into the queue the supervisor watches.
  await customerWrites("ch-email", "pinned@example.com", "Pinned Customer", "One more question about the contract.");
  await serverDialog(id, (d) => d.status === "in_progress" && d.assigneeId === "op-anna", "the reopened dialog did not go to the pinned operator");
  await openTab(A.page, "mine");
  await row(A.page, id).waitFor({ timeout: 30_000 });
  await notInSofiasQueue(id, "В работе");

  // Closed, and a week later (the e-mail reopen window is 120 h) the client
  // writes: a new dialog, straight to Anna's Mine.
  await row(A.page, id).click();
  await A.page.getByTestId("action-close").click();
  await serverDialog(id, (d) => d.status === "closed", "Anna's close never reached the server");
  await server.advanceClock("121h");
  await customerWrites("ch-email", "pinned@example.com", "Pinned Customer", "Hello again, a new order this time.");
  const fresh = A.page.locator(`[data-testid=dialog-row]:not([data-dialog-id="${id}"])`).filter({ hasText: "Pinned Customer" });
  await fresh.waitFor({ timeout: 30_000 });
  const id2 = await fresh.getAttribute("data-dialog-id");
  const d2 = await serverDialog(id2, (d) => d.status === "in_progress", "the new dialog is not in progress");
  assert.equal(d2.assigneeId, "op-anna");
  await notInSofiasQueue(id2, "В работе");
  assert.deepEqual(A.problems, []);
  assert.deepEqual(B.problems, []);
});

test("a blacklisted client leaves every queue and alerts no one; the Blacklist tab lets it back", async () => {
  await customerWrites("ch-email", "spam-bot@example.com", "Spam Bot", "Cheap watches, best prices!!!");
  await openTab(A.page, "unassigned");
  await openTab(B.page, "unassigned");
  const r = rowOf(A.page, "Spam Bot");
  await r.waitFor({ timeout: 30_000 });
  const id = await r.getAttribute("data-dialog-id");
  await row(B.page, id).waitFor({ timeout: 30_000 });

  await r.click();
  await A.page.getByTestId("action-blacklist").click();
  const confirm = A.page.getByTestId("action-blacklist-confirm");
  assert.match(await confirm.textContent(), /Send Spam Bot to the blacklist\?/);
  await A.page.getByTestId("action-blacklist-yes").click();
  await row(A.page, id).waitFor({ state: "detached", timeout: 5_000 });
  await serverDialog(id, (d) => d.clientBlacklisted === true, "the blacklist never reached the server");
  await row(B.page, id).waitFor({ state: "detached", timeout: 30_000 });

  // The client writes on: the message is kept, and raises no alert (the
  // first message, before the blacklist, raised the new-dialog alert).
  const raisedFor = async () => (await A.page.evaluate(async () => await window.go.app.Dev.RaisedAlerts())).filter((a) => a.dialogId === id);
  const alertsBefore = await raisedFor();
  const more = "Last chance: cheap watches!!!";
  await customerWrites("ch-email", "spam-bot@example.com", "Spam Bot", more);
  await eventually(
    () => A.page.evaluate(async (id) => (await window.go.app.Conversation.History(id, 0)).items.some((it) => it.message?.text === "Last chance: cheap watches!!!"), id),
    () => `A's replica never got the blacklisted client's message\n${logs()}`,
  );
  assert.deepEqual(await raisedFor(), alertsBefore, "a blacklisted client alerts no one");
  assert.equal(await row(A.page, id).count(), 0, "still out of the queue");

  // Sofia has the Blacklist tab: she lets the client back.
  await openTab(B.page, "blacklist");
  await row(B.page, id).click();
  await B.page.getByTestId("action-unblock").click();
  await row(B.page, id).waitFor({ state: "detached", timeout: 5_000 });
  await serverDialog(id, (d) => !d.clientBlacklisted, "the unblock never reached the server");
  await row(A.page, id).waitFor({ timeout: 30_000 });
});

test("a dialog force-closed as spam leaves the queue", async () => {
  const r = rowOf(A.page, "Spam Bot");
  const id = await r.getAttribute("data-dialog-id");
  await r.click();
  await A.page.getByTestId("action-spam").click();
  await A.page.getByTestId("action-spam-yes").click();
  await row(A.page, id).waitFor({ state: "detached", timeout: 5_000 });
  const d = await serverDialog(id, (d) => d.status === "spam", "the spam close never reached the server");
  assert.equal(d.closedById, "op-anna");
  await notInSofiasQueue(id, "Спам");
});

test("from the Closed tab the operator writes first to the client again", async () => {
  await openTab(A.page, "closed");
  await row(A.page, "dl-demo-07").click();
  await A.page.getByTestId("action-start-dialog").click();
  await A.page.getByTestId("start-dialog").waitFor();
  assert.equal(await A.page.getByTestId("start-dialog-channel").inputValue(), "ch-telegram");
  const text = "Pavel, your replacement part has arrived. Shall we deliver it tomorrow?";
  await A.page.getByTestId("start-dialog-text").fill(text);
  await A.page.getByTestId("start-dialog-send").click();
  // The new dialog opens at once, in Anna's Mine.
  await A.page.getByTestId("message").filter({ hasText: text }).waitFor();
  await openTab(A.page, "mine");
  const r = A.page.locator(`[data-testid=dialog-row]:not([data-dialog-id="dl-demo-07"])`).filter({ hasText: "Павел Соколов" });
  await r.waitFor();
  const id = await r.getAttribute("data-dialog-id");
  const d = await serverDialog(id, (d) => d.outgoing === true, "the outgoing dialog never reached the server");
  assert.equal(d.assigneeId, "op-anna");
  assert.equal(d.status, "in_progress");
  const msgs = await server.messages("anna", id);
  assert.deepEqual(
    msgs.map((m) => [m.kind, m.text]),
    [["outbound", text]],
  );
  assert.deepEqual(A.problems, []);
  assert.deepEqual(B.problems, []);
});
