// End-to-end tests of reading, the keyboard shortcuts and search against
// the real team server: one dev build of the app, anna@ (operator on the
// Продажи and International lines), driven through Chromium. The tests
// run in order and share the session.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TeamServer, DesktopApp, launchBrowser, openPage, signIn, eventually } from "./harness.mjs";

let server, app, browser;
/** The signed-in page: { context, page, problems }. */
let A;
/** Three dialogs anna took from new customers, each with one unread message. */
const taken = [];

before(async () => {
  server = new TeamServer();
  await server.start();
  app = new DesktopApp("hotkeys", server.url);
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
const rowOf = (page, name) => page.getByTestId("dialog-row").filter({ has: page.locator(".client-name", { hasText: name }) });
const selectedId = (page) => page.locator(".dialog-row.selected").getAttribute("data-dialog-id");

/** A customer writes on the e-mail channel (the International line). */
function customerWrites(email, name, texts) {
  return server.ingest(
    texts.map((text, i) => ({
      type: "inbound.message",
      payload: { channelId: "ch-email", externalId: `${email}-${i}`, contact: { externalId: email, name, handle: email }, text },
    })),
  );
}

/** Presses a key with the focus nowhere in particular (the page's body). */
async function pressOnPage(page, key) {
  await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
  await page.keyboard.press(key);
}

test("anna signs in; three new customers' dialogs are hers, unread", async () => {
  A = await openPage(browser, app, "en-US");
  await signIn(A.page, "anna");
  for (const n of ["One", "Two", "Three"]) await customerWrites(`${n.toLowerCase()}@example.com`, `Customer ${n}`, [`Hello from ${n}`]);
  for (const n of ["One", "Two", "Three"]) {
    const r = rowOf(A.page, `Customer ${n}`);
    await r.waitFor({ timeout: 30_000 });
    taken.push(await r.getAttribute("data-dialog-id"));
  }
  await server.commands("anna", taken.map((dialogId) => ({ type: "dialog.take", payload: { dialogId } })));
  await A.page.getByTestId("tab-mine").click();
  for (const id of taken) await row(A.page, id).waitFor();
  // Igor's demo dialog is hers already, with one unread message.
  await eventually(async () => (await A.page.getByTestId("unread-mine").textContent()) === "4", () => `Mine never counted 4 unread\n${logs()}`);
  assert.deepEqual(A.problems, []);
});

test("? opens the list of shortcuts outside text fields, in the UI's language, with ⌘ on macOS", async () => {
  const { page } = A;
  await pressOnPage(page, "?");
  const sheet = page.getByTestId("hotkey-sheet");
  await sheet.waitFor();
  const rows = await sheet.locator("tr").evaluateAll((trs) => trs.map((tr) => [tr.dataset.testid, [...tr.querySelectorAll("kbd")].map((k) => k.textContent).join(" ")]));
  assert.deepEqual(rows, [
    ["hotkey-send", "Ctrl Enter"],
    ["hotkey-markRead", "Shift Enter"],
    ["hotkey-prevDialog", "Ctrl Shift ↑"],
    ["hotkey-nextDialog", "Ctrl Shift ↓"],
    ["hotkey-clientCard", "Ctrl Shift S"],
    ["hotkey-close", "Esc"],
    ["hotkey-mention", "Ctrl Shift A"],
    ["hotkey-help", "?"],
  ]);
  assert.equal(await sheet.getByTestId("hotkey-markRead").locator("td").nth(1).textContent(), "Mark the open dialog's messages as read");
  await page.keyboard.press("Escape");
  await sheet.waitFor({ state: "detached" });

  // Typed into a text field, ? is just a character.
  const search = page.getByTestId("search-input");
  await search.click();
  await page.keyboard.press("?");
  assert.equal(await search.inputValue(), "?");
  assert.equal(await sheet.count(), 0);
  await search.fill("");

  for (const [lang, title, clientCard] of [
    ["uk", "Гарячі клавіші", "Відкрити або закрити картку клієнта"],
    ["ru", "Горячие клавиши", "Открыть или закрыть карточку клиента"],
  ]) {
    await page.getByTestId("language").selectOption(lang);
    await pressOnPage(page, "?");
    await sheet.waitFor();
    assert.equal(await sheet.locator("h3").textContent(), title);
    assert.equal(await sheet.getByTestId("hotkey-clientCard").locator("td").nth(1).textContent(), clientCard);
    await page.keyboard.press("Escape");
    await sheet.waitFor({ state: "detached" });
  }
  await page.getByTestId("language").selectOption("en");

  // A Mac writes ⌘ and ⇧ (a second page on the same signed-in app).
  const mac = await browser.newContext({ locale: "en-US", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/537.36 (KHTML, like Gecko)" });
  try {
    const p = await mac.newPage();
    await p.goto(app.url);
    await p.getByTestId("open-shortcuts").click();
    const macSheet = p.getByTestId("hotkey-sheet");
    assert.equal(await macSheet.getByTestId("hotkey-send").locator("kbd").allTextContents().then((k) => k.join(" ")), "⌘ ↩");
    assert.equal(await macSheet.getByTestId("hotkey-clientCard").locator("kbd").allTextContents().then((k) => k.join(" ")), "⌘ ⇧ S");
  } finally {
    await mac.close();
  }
});

test("with reading on command, opening leaves a dialog unread; Shift+Enter marks it read; Ctrl+Enter sends", async () => {
  const { page } = A;
  await page.getByTestId("alerts-button").click();
  await page.getByTestId("read-on-mark").check();
  await page.getByTestId("alerts-button").click();

  await rowOf(page, "Игорь Петров").click();
  await page.locator(".conversation-title", { hasText: "Игорь Петров" }).waitFor();
  await page.getByTestId("action-mark-read").waitFor();
  // A note sent after opening reaches the server after anything the
  // opening queued (the outbox is in order): the dialog is still unread there.
  const box = page.getByTestId("composer-text");
  await page.getByTestId("composer-kind-note").click();
  await box.fill("checked the courier");
  await box.press("Control+Enter");
  await page.locator("[data-testid=message][data-kind=note]", { hasText: "checked the courier" }).waitFor();
  await eventually(
    async () => (await server.messages("anna", "dl-demo-02")).some((m) => m.text === "checked the courier"),
    () => `the note never reached the server\n${logs()}`,
  );
  assert.equal((await server.dialog("anna", "dl-demo-02")).unread, 1);
  assert.equal(await box.inputValue(), "");

  await box.press("Shift+Enter");
  await page.getByTestId("action-mark-read").waitFor({ state: "detached" });
  assert.equal(await box.inputValue(), "", "Shift+Enter marks read, it types no new line");
  await row(page, "dl-demo-02").locator(".unread").waitFor({ state: "detached" });
  await eventually(async () => (await server.dialog("anna", "dl-demo-02")).unread === 0, () => `the server never had dl-demo-02 read\n${logs()}`);

  // The button does the same.
  await row(page, taken[0]).click();
  await page.getByTestId("action-mark-read").click();
  await row(page, taken[0]).locator(".unread").waitFor({ state: "detached" });
  await eventually(async () => (await server.dialog("anna", taken[0])).unread === 0, () => `the server never had ${taken[0]} read\n${logs()}`);
});

test("Ctrl+Shift+Down/Up walk the list, Ctrl+Shift+S opens the client card and Esc closes it, Ctrl+Shift+A starts a mention", async () => {
  const { page } = A;
  const ids = await eventually(async () => {
    const got = await page.getByTestId("dialog-row").evaluateAll((els) => els.map((e) => e.dataset.dialogId));
    return got.length >= 4 && got;
  }, async () => `Mine lists ${await page.getByTestId("dialog-row").evaluateAll((els) => els.map((e) => e.dataset.dialogId))}`);
  await row(page, ids[0]).click();
  await pressOnPage(page, "Control+Shift+ArrowDown");
  await eventually(async () => (await selectedId(page)) === ids[1], "the next dialog selected");
  // From inside the composer too.
  await page.getByTestId("composer-text").click();
  await page.keyboard.press("Control+Shift+ArrowDown");
  await eventually(async () => (await selectedId(page)) === ids[2], "the one after selected");
  await pressOnPage(page, "Control+Shift+ArrowUp");
  await eventually(async () => (await selectedId(page)) === ids[1], "back to the previous one");
  const name = await row(page, ids[1]).locator(".client-name").textContent();
  await page.locator(".conversation-title", { hasText: name }).waitFor();

  await pressOnPage(page, "Control+Shift+S");
  const card = page.getByTestId("client-card-sheet");
  await card.waitFor();
  assert.equal(await card.locator(".client-card-name").textContent(), name);
  await page.keyboard.press("Escape");
  await card.waitFor({ state: "detached" });

  await pressOnPage(page, "Control+Shift+A");
  await page.getByTestId("mention-picker").waitFor();
  assert.equal(await page.getByTestId("composer-kind-comment").getAttribute("aria-checked"), "true");
  assert.equal(await page.getByTestId("composer-text").inputValue(), "@");
  // Esc closes the picker first (the composer's own), not something else.
  await page.keyboard.press("Escape");
  await page.getByTestId("mention-picker").waitFor({ state: "detached" });
  await page.getByTestId("composer-text").fill("");
});

test("mark all as read asks first, says it cannot be undone, then clears the tab's unread counter", async () => {
  const { page } = A;
  const unread = page.getByTestId("unread-mine");
  assert.equal(await unread.textContent(), "2");
  await page.getByTestId("mark-all-read").click();
  const ask = page.getByTestId("confirm-dialog");
  await ask.waitFor();
  assert.match(await ask.textContent(), /Mark every dialog in “Mine” as read\? This cannot be undone\./);
  await page.getByTestId("confirm-cancel").click();
  await ask.waitFor({ state: "detached" });
  assert.equal(await unread.textContent(), "2");

  await page.getByTestId("mark-all-read").click();
  await page.getByTestId("confirm-ok").click();
  await unread.waitFor({ state: "detached" });
  for (const id of taken) {
    await eventually(async () => (await server.dialog("anna", id)).unread === 0, () => `the server never had ${id} read\n${logs()}`);
  }
});

test("a Cyrillic search typed with е finds a message written with ё, far back in its dialog, and opens the dialog at it", async () => {
  const { page } = A;
  const later = Array.from({ length: 60 }, (_, i) => `Сообщение номер ${i + 1}`);
  await customerWrites("fedor@example.com", "Фёдор Ёлкин", ["Когда привезут ёлочные игрушки к Новому году?", ...later]);
  await page.getByTestId("tab-unassigned").click();
  await rowOf(page, "Фёдор Ёлкин").waitFor({ timeout: 30_000 });

  const search = page.getByTestId("search-input");
  await search.fill("ел");
  await page.getByTestId("search-results").getByText("Type at least 3 letters.").waitFor();

  // A client by a contact: the handle's matching word is marked.
  await search.fill("fedor@exam");
  const client = page.getByTestId("search-client").filter({ hasText: "Фёдор Ёлкин" });
  await client.waitFor();
  assert.deepEqual(await client.locator(".search-contact mark").allTextContents(), ["fedor", "exam"]);

  await search.fill("елочн");
  const hit = page.getByTestId("search-message").filter({ hasText: "игрушки" });
  await hit.waitFor();
  assert.deepEqual(await hit.locator("mark").allTextContents(), ["ёлочн"]);
  await hit.click();

  await page.locator(".conversation-title", { hasText: "Фёдор Ёлкин" }).waitFor();
  const focused = page.locator("[data-testid=message][data-focus=true]");
  await focused.waitFor();
  assert.equal(await focused.locator(".message-text").textContent(), "Когда привезут ёлочные игрушки к Новому году?");
  assert.deepEqual(await focused.locator("mark").allTextContents(), ["ёлочн"]);
  // It is on screen, though the newest page of 50 would not hold it.
  const box = await focused.boundingBox();
  const view = await page.locator(".timeline").boundingBox();
  assert.ok(box && view && box.y >= view.y && box.y + box.height <= view.y + view.height, `the message is at ${JSON.stringify(box)}, the timeline at ${JSON.stringify(view)}`);
  // Newer messages load as the operator scrolls down, up to the newest.
  const newest = page.locator("[data-testid=message] .message-text", { hasText: /^Сообщение номер 60$/ });
  assert.equal(await newest.count(), 0, "the page around the hit is not the newest");
  await eventually(async () => {
    await page.locator(".timeline").evaluate((el) => (el.scrollTop = el.scrollHeight));
    return (await newest.count()) === 1;
  }, () => `scrolling down never reached the newest message\n${logs()}`);
  assert.equal(await page.getByTestId("message").filter({ hasText: "Сообщение номер 30" }).count(), 1);
  assert.deepEqual(A.problems, []);
});
