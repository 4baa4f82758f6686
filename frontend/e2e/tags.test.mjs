// Tags and filters end to end: the real team server (demo workspace) and
// two desktop apps. Anna (A) tags two messages of John Carter's e-mail
// dialog (dl-demo-05, International line, unassigned) with a tag she makes
// on the spot, and the dialog too; James (B), who works the same line,
// sees the tags after sync. Anna then filters her list by the tag and by
// channel, saves the filter and applies it again after reloading the page.
//
// The tests run in order and share the two sessions.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TeamServer, DesktopApp, launchBrowser, openPage, signIn, eventually } from "./harness.mjs";

let server, appA, appB, browser;
/** The signed-in pages: { context, page, problems }. */
let A, B;

const dialogId = "dl-demo-05";
/** Markup in a tag's name must show as text. */
const tagName = "Complaint <b>e2e</b>";
const texts = ["I was charged twice AGAIN", "Still no answer about the refund"];
/** What the first test learns: the ids of the tagged messages and of the tag. */
const tagged = { messageIds: [], tagId: "" };

before(async () => {
  server = new TeamServer();
  await server.start();
  appA = new DesktopApp("tags-a", server.url);
  appB = new DesktopApp("tags-b", server.url);
  await Promise.all([appA.start(), appB.start()]);
  browser = await launchBrowser();
  // John Carter writes twice more to the open dialog.
  for (const [i, text] of texts.entries()) {
    await server.ingest([
      { type: "inbound.message", payload: { channelId: "ch-email", externalId: `tags-e2e-${i}`, contact: { externalId: "john.carter@example.com" }, text } },
    ]);
  }
  A = await openPage(browser, appA, "en-US");
  B = await openPage(browser, appB, "uk-UA");
  await Promise.all([signIn(A.page, "anna"), signIn(B.page, "james")]);
});

after(async () => {
  await browser?.close();
  await Promise.all([appA?.close(), appB?.close()]);
  await server?.close();
});

const logs = () =>
  [
    `--- server\n${server.log.join("").slice(-3000)}`,
    `--- app A\n${appA.log.join("").slice(-3000)}`,
    `--- app B\n${appB.log.join("").slice(-3000)}`,
  ].join("\n");

const row = (page, id) => page.locator(`[data-testid=dialog-row][data-dialog-id="${id}"]`);
const message = (page, id) => page.locator(`[data-testid=message][data-message-id="${id}"]`);
const chipNames = (scope) => scope.getByTestId("tag-chip").locator(".tag-name").allTextContents();
const listed = (page) => page.getByTestId("dialog-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-dialog-id")));

/** Waits until the list shows exactly these dialogs, in this order. */
async function listShows(page, want, why) {
  await eventually(
    async () => JSON.stringify(await listed(page)) === JSON.stringify(want),
    async () => `${why}: the list shows ${JSON.stringify(await listed(page))}, want ${JSON.stringify(want)}\n${logs()}`,
  );
}

/** Opens the dialog and returns the ids of the messages with the given texts. */
async function openWithMessages(page) {
  await row(page, dialogId).waitFor({ timeout: 30_000 });
  await row(page, dialogId).click();
  return eventually(
    async () => {
      const ids = [];
      for (const text of texts) {
        const m = page.getByTestId("message").filter({ hasText: text });
        if ((await m.count()) !== 1) return false;
        ids.push(await m.getAttribute("data-message-id"));
      }
      return ids;
    },
    () => `the conversation never showed John's new messages\n${logs()}`,
  );
}

test("anna tags two selected messages with a tag made on the spot, then the dialog", async () => {
  const { page, problems } = A;
  const ids = await openWithMessages(page);
  for (const id of ids) await message(page, id).getByTestId("message-select").check();
  assert.equal(await page.getByTestId("selection-bar").locator("span").first().textContent(), "Selected: 2");

  await page.getByTestId("tag-messages").click();
  await page.getByTestId("tag-query").fill(tagName);
  assert.equal(await page.getByTestId("tag-option").count(), 0, "no tag of that name exists yet");
  await page.getByTestId("tag-create").click();

  // Both messages carry the tag at once, as text; the selection is done.
  for (const id of ids) {
    await eventually(async () => (await chipNames(message(page, id))).includes(tagName), () => `message ${id} shows no tag\n${logs()}`);
  }
  assert.equal(await page.getByTestId("selection-bar").count(), 0);
  assert.equal(await page.locator(".tag-name b").count(), 0, "the tag's markup became elements");
  const first = page.getByTestId("message").first();
  assert.deepEqual(await chipNames(first), [], "the untouched message got a tag");

  // The dialog: the tag is in the team's list now, picked, not made again.
  await page.getByTestId("tag-dialog").click();
  await page.getByTestId("tag-query").fill("  complaint   <B>E2E</b> ");
  assert.equal(await page.getByTestId("tag-create").count(), 0, "offered to create a tag that exists");
  await page.getByTestId("tag-option").filter({ hasText: tagName }).click();
  await eventually(async () => (await chipNames(page.getByTestId("dialog-tags"))).includes(tagName), () => `the header shows no tag\n${logs()}`);

  // The server holds exactly these tags.
  const held = await eventually(
    async () => {
      const msgs = (await server.messages("anna", dialogId)).filter((m) => m.tags?.length);
      return msgs.length === 2 && msgs;
    },
    () => `the server never held two tagged messages\n${logs()}`,
  );
  assert.deepEqual(held.map((m) => m.id).sort(), [...ids].sort());
  tagged.tagId = held[0].tags[0];
  tagged.messageIds = ids;
  assert.ok(held.every((m) => m.tags.length === 1 && m.tags[0] === tagged.tagId));
  await eventually(async () => (await server.dialog("anna", dialogId)).tags?.includes(tagged.tagId), () => `the server's dialog has no tag\n${logs()}`);
  assert.deepEqual(problems, []);
});

test("james sees the tags on the dialog and its messages after sync", async () => {
  const { page, problems } = B;
  await row(page, dialogId).waitFor({ timeout: 30_000 });
  await eventually(async () => (await chipNames(row(page, dialogId))).includes(tagName), () => `james's row shows no tag\n${logs()}`);
  await row(page, dialogId).click();
  await eventually(async () => (await chipNames(page.getByTestId("dialog-tags"))).includes(tagName), () => `james's header shows no tag\n${logs()}`);
  for (const id of tagged.messageIds) {
    await eventually(async () => JSON.stringify(await chipNames(message(page, id))) === JSON.stringify([tagName]), () => `james's message ${id} lacks the tag\n${logs()}`);
  }
  assert.deepEqual(await chipNames(page.getByTestId("message").first()), []);
  // His log names the move and the tag (Ukrainian UI).
  await page.getByTestId("event-line").filter({ hasText: `тег ${tagName}` }).waitFor();
  assert.deepEqual(problems, []);
});

test("anna filters by the tag and by channel, saves the filter and applies it again after a reload", async () => {
  const { page, problems } = A;
  await page.getByTestId("tab-unassigned").click();
  await listShows(page, ["dl-demo-01", dialogId], "anna's queue before filtering");

  await page.getByTestId("filters-toggle").click();
  await page.getByTestId("filter-tag").selectOption({ label: tagName });
  await listShows(page, [dialogId], "by the tag");
  await page.getByTestId("filter-tag").selectOption("");
  await page.getByTestId("filter-channel").selectOption({ label: "Telegram @demo_shop_bot" });
  await listShows(page, ["dl-demo-01"], "by Telegram");
  await page.getByTestId("filter-tag").selectOption({ label: tagName });
  await listShows(page, [], "by Telegram and the tag");
  await page.getByTestId("filter-channel").selectOption({ label: "support@demo.switchboard" });
  await listShows(page, [dialogId], "by e-mail and the tag");
  assert.equal(await page.getByTestId("filters-toggle").textContent(), "Filters: 2");

  await page.getByTestId("filter-save-open").click();
  await page.getByTestId("filter-name").fill("  E-mail   complaints ");
  await page.getByTestId("filter-save").click();
  await eventually(
    async () => (await page.getByTestId("saved-filters").locator("option:checked").textContent()) === "E-mail complaints",
    () => `the saved filter is not the one shown\n${logs()}`,
  );

  await page.reload();
  await page.getByTestId("tab-unassigned").waitFor({ timeout: 30_000 });
  await listShows(page, ["dl-demo-01", dialogId], "after the reload, unfiltered");
  assert.equal(await page.getByTestId("filters-toggle").textContent(), "Filters");

  await page.getByTestId("saved-filters").selectOption({ label: "E-mail complaints" });
  await listShows(page, [dialogId], "the saved filter applied again");
  assert.equal(await page.getByTestId("filters-toggle").textContent(), "Filters: 2");
  await page.getByTestId("filters-toggle").click();
  assert.equal(await page.getByTestId("filter-tag").locator("option:checked").textContent(), tagName);
  assert.equal(await page.getByTestId("filter-channel").locator("option:checked").textContent(), "support@demo.switchboard");

  // Deleted, it is gone from the list; the filter in use stays.
  await page.getByTestId("filter-delete").click();
  await eventually(async () => (await page.getByTestId("saved-filters").locator("option").count()) === 1, "the saved filter was not deleted");
  await listShows(page, [dialogId], "after deleting the saved filter");
  await page.getByTestId("filter-clear").click();
  await listShows(page, ["dl-demo-01", dialogId], "after clearing the filters");
  assert.deepEqual(problems, []);
});
