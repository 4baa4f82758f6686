// End-to-end tests of the desktop app against the real team server.
//
// One switchboard-server (SERVER_BIN) with the demo workspace, and two
// operators, each a dev build of the app (APP_BIN) under its own Xvfb with
// its own data directory: A is anna@ (English), B is james@ (Russian). Both
// work the "International" line, so they share its Unassigned queue
// (dl-demo-05, John Carter). Chromium opens each app's dev-server page; the
// path page -> Go services -> replica -> sync client -> server is real.
//
// The tests run in order and share the two sessions.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TeamServer, DesktopApp, launchBrowser, openPage, signIn, eventually } from "./harness.mjs";

let server, appA, appB, browser;
/** The signed-in pages: { context, page, problems }. */
let A, B;

before(async () => {
  server = new TeamServer();
  await server.start();
  appA = new DesktopApp("a", server.url);
  appB = new DesktopApp("b", server.url);
  await Promise.all([appA.start(), appB.start()]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([appA?.close(), appB?.close()]);
  await server?.close();
});

/** The logs of every process, for a failure message. */
const logs = () =>
  [
    `--- server\n${server.log.join("").slice(-4000)}`,
    `--- app A\n${appA.log.join("").slice(-4000)}`,
    `--- app B\n${appB.log.join("").slice(-4000)}`,
  ].join("\n");

const row = (page, dialogId) => page.locator(`[data-testid=dialog-row][data-dialog-id="${dialogId}"]`);

/** The texts of the open conversation's messages, oldest first. */
const timeline = (page) => page.getByTestId("message").locator(".message-text").allTextContents();

/** Waits until the server holds exactly one message with each text, returns them in the server's order. */
async function serverHolds(who, dialogId, texts) {
  return eventually(
    async () => {
      const msgs = (await server.messages(who, dialogId)).filter((m) => texts.includes(m.text));
      return msgs.length >= texts.length && msgs;
    },
    () => `the server never held ${JSON.stringify(texts)} in ${dialogId}\n${logs()}`,
  );
}

const headings = {
  "en-US": { heading: "Sign in to your team", submit: "Sign in", lang: "en" },
  "ru-RU": { heading: "Вход в рабочее пространство", submit: "Войти", lang: "ru" },
  "uk-UA": { heading: "Вхід до робочого простору", submit: "Увійти", lang: "uk" },
};

for (const [locale, want] of Object.entries(headings)) {
  test(`the sign-in screen follows the OS language ${locale} and starts with the configured server`, async () => {
    const { context, page, problems } = await openPage(browser, appA, locale);
    try {
      await page.getByTestId("login-form").waitFor();
      assert.equal(await page.locator(".login-card h2").textContent(), want.heading);
      assert.equal(await page.getByTestId("login-submit").textContent(), want.submit);
      assert.equal(await page.evaluate(() => document.documentElement.lang), want.lang);
      assert.equal(await page.locator("input[name=server]").inputValue(), server.url);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

test("switching the language relabels the sign-in screen", async () => {
  const { context, page } = await openPage(browser, appA);
  try {
    await page.getByTestId("language").selectOption("uk");
    await page.getByText(headings["uk-UA"].heading).waitFor();
    await page.getByTestId("language").selectOption("ru");
    await page.getByText(headings["ru-RU"].heading).waitFor();
  } finally {
    await context.close();
  }
});

test("a wrong password is refused in plain words", async () => {
  const { context, page } = await openPage(browser, appA);
  try {
    await page.locator("input[name=email]").fill("anna@demo.switchboard");
    await page.locator("input[name=password]").fill("wrong");
    await page.getByTestId("login-submit").click();
    const err = page.getByTestId("login-error");
    await err.waitFor();
    assert.equal(await err.textContent(), "Wrong e-mail or password.");
  } finally {
    await context.close();
  }
});

test("two operators sign in to one server; the Russian UI speaks Russian", async () => {
  A = await openPage(browser, appA, "en-US");
  B = await openPage(browser, appB, "ru-RU");
  await Promise.all([signIn(A.page, "anna"), signIn(B.page, "james")]);

  // Both see the International line's waiting dialog once the sync is done.
  await row(A.page, "dl-demo-05").waitFor({ timeout: 30_000 });
  await row(B.page, "dl-demo-05").waitFor({ timeout: 30_000 });
  assert.equal(await row(B.page, "dl-demo-05").locator(".client-name").textContent(), "John Carter");

  const tabs = await B.page.getByRole("tab").locator("span:first-child").allTextContents();
  assert.deepEqual(tabs, ["Важные", "Неразобранные", "Мои", "Отложенные", "Закрытые"]);
  assert.equal(await B.page.getByRole("button", { name: "Выйти" }).count(), 1);
  assert.equal(await B.page.evaluate(() => document.documentElement.lang), "ru");
  assert.equal(await row(B.page, "dl-demo-05").locator(".status").textContent(), "Не назначен");
  await row(B.page, "dl-demo-05").click();
  await B.page.getByText("Предпросмотр: начните диалог, чтобы ответить.").waitFor();
  assert.equal(await B.page.getByTestId("action-take").textContent(), "Начать диалог");
  await B.page.getByTestId("message").filter({ hasText: "Hello, I was charged twice for invoice INV-2291. Could you check?" }).waitFor();

  assert.equal(await A.page.getByTestId("tab-unassigned").locator("span:first-child").textContent(), "Unassigned");
  assert.deepEqual(A.problems, []);
  assert.deepEqual(B.problems, []);
});

test("A takes a dialog: it leaves B's Unassigned live, and the server assigns it to A", async () => {
  const before = Number(await B.page.getByTestId("count-unassigned").textContent());
  await row(A.page, "dl-demo-05").click();
  await A.page.getByTestId("action-take").click();
  // A's own window moves it at once (optimistic)...
  await row(A.page, "dl-demo-05").waitFor({ state: "detached", timeout: 5_000 });
  // ...and B's list follows from the live feed, no reload.
  await row(B.page, "dl-demo-05").waitFor({ state: "detached", timeout: 30_000 });
  await B.page.getByTestId("count-unassigned").getByText(String(before - 1), { exact: true }).waitFor();

  const d = await server.dialog("anna", "dl-demo-05");
  assert.equal(d.status, "in_progress");
  assert.equal(d.assigneeId, "op-anna");

  await A.page.getByTestId("tab-mine").click();
  await row(A.page, "dl-demo-05").waitFor();
});

test("A's reply reaches the team server", async () => {
  const text = "Hi John, I have refunded the second charge of INV-2291.";
  await A.page.getByTestId("composer-text").fill(text);
  await A.page.getByTestId("composer-send").click();
  await A.page.getByTestId("message").filter({ hasText: text }).waitFor();

  const [m] = await serverHolds("anna", "dl-demo-05", [text]);
  assert.equal(m.kind, "outbound");
  assert.equal(m.authorId, "op-anna");
  const d = await server.dialog("anna", "dl-demo-05");
  assert.equal(d.lastMessageText, text);
});

test("messages written while the server is down arrive once, in order, after A's app restarts", async () => {
  const texts = ["offline one", "offline two", "offline three"];
  await server.stop();
  await A.page.getByTestId("connection-banner").waitFor({ timeout: 30_000 });

  for (const t of texts) {
    await A.page.getByTestId("composer-text").fill(t);
    await A.page.getByTestId("composer-send").click();
    await A.page.getByTestId("message").filter({ hasText: t }).waitFor();
  }
  const shown = await timeline(A.page);
  assert.deepEqual(shown.slice(-3), texts);

  // Quit A's app with the three still in its outbox, and start it again.
  await A.context.close();
  await appA.stop();
  await appA.start();
  A = await openPage(browser, appA, "en-US");
  await A.page.getByTestId("login-form").waitFor();
  assert.equal(await A.page.locator("input[name=server]").inputValue(), server.url);

  // The server is still down: signing in says so in plain words.
  await A.page.locator("input[name=email]").fill("anna@demo.switchboard");
  await A.page.locator("input[name=password]").fill("demo1234");
  await A.page.getByTestId("login-submit").click();
  await A.page.getByTestId("login-error").waitFor();
  assert.equal(
    await A.page.getByTestId("login-error").textContent(),
    "The team server cannot be reached. Check the address and your connection.",
  );

  await server.start();
  await signIn(A.page, "anna");

  const held = await serverHolds("anna", "dl-demo-05", texts);
  assert.deepEqual(
    held.map((m) => m.text),
    texts,
    "each message once, in the order written",
  );
  // Nothing arrives twice, however long the outbox takes to settle.
  await new Promise((r) => setTimeout(r, 1000));
  const again = (await server.messages("anna", "dl-demo-05")).filter((m) => texts.includes(m.text));
  assert.deepEqual(
    again.map((m) => m.text),
    texts,
  );

  // A's window shows them once each, delivered from the server's copy.
  await A.page.getByTestId("tab-mine").click();
  await row(A.page, "dl-demo-05").click();
  await A.page.getByTestId("message").filter({ hasText: "offline three" }).waitFor();
  const after = await timeline(A.page);
  assert.deepEqual(
    after.filter((t) => texts.includes(t)),
    texts,
  );
  assert.deepEqual(A.problems, []);
});

const hostile = {
  name: `<img src=x onerror="window.__pwned='name'">`,
  message: `<img src=x onerror="window.__pwned='message'">`,
  script: `<script>window.__pwned='script'</script>`,
  link: `<a href="javascript:window.__pwned='link'">click me</a>`,
  note: `<img src=x onerror="window.__pwned='note'"> javascript:alert(1)`,
  reply: `<script>window.__pwned='reply'</script><a href="javascript:window.__pwned='reply'">x</a>`,
};

/** Nothing a customer or operator wrote became an element or ran. */
async function assertInert(side) {
  assert.equal(await side.page.locator('img[src="x"]').count(), 0);
  assert.equal(await side.page.locator('a[href^="javascript:"]').count(), 0);
  assert.equal(await side.page.locator(".message-text script, .client-card script").count(), 0);
  assert.equal(await side.page.evaluate(() => window.__pwned ?? window.pwned), undefined);
  assert.deepEqual(side.problems, []);
}

test("hostile text from a channel, a note and a reply is shown as text and runs nothing", async () => {
  // A customer with a hostile name writes three hostile messages to the
  // e-mail channel (International line), as a connector host posts them.
  for (const [i, text] of [hostile.message, hostile.script, hostile.link].entries()) {
    await server.ingest([
      {
        type: "inbound.message",
        payload: {
          channelId: "ch-email",
          externalId: `evil-${i}`,
          contact: { externalId: "evil@example.com", name: hostile.name, handle: hostile.link },
          text,
        },
      },
    ]);
  }
  for (const side of [A, B]) {
    await side.page.getByTestId("tab-unassigned").click();
    const r = side.page.getByTestId("dialog-row").filter({ has: side.page.locator(".client-name", { hasText: hostile.name }) });
    await r.waitFor({ timeout: 30_000 });
    assert.equal(await r.locator(".last-text").textContent(), hostile.link);
  }
  const evilRow = A.page.getByTestId("dialog-row").filter({ has: A.page.locator(".client-name", { hasText: hostile.name }) });
  const dialogId = await evilRow.getAttribute("data-dialog-id");
  const { clientId } = await server.dialog("anna", dialogId);

  // A teammate (B, through the server's API) leaves a hostile note on the client.
  await server.commands("james", [{ type: "client.note.add", payload: { clientId, noteId: crypto.randomUUID(), text: hostile.note } }]);

  await evilRow.click();
  // The dialog open before (John's) stays on screen until this one loads:
  // wait for this one's title and its last message, not for any three.
  await A.page.locator(".conversation-title", { hasText: hostile.name }).waitFor();
  await A.page.getByTestId("message").filter({ hasText: hostile.link }).waitFor();
  assert.deepEqual(await timeline(A.page), [hostile.message, hostile.script, hostile.link]);
  assert.equal(await A.page.locator(".conversation-title").textContent(), hostile.name);
  const card = A.page.getByTestId("client-card");
  await card.getByText(hostile.note).waitFor({ timeout: 30_000 });
  await card.getByTestId("contact").getByText(hostile.link).waitFor();
  await card.getByTestId("client-dialog").getByText(hostile.link).waitFor();
  assert.equal(await card.locator(".client-card-name").textContent(), hostile.name);

  // A takes it and answers with hostile text of her own; the server keeps
  // it verbatim and B's window, where the dialog is still listed under
  // the customer's hostile name, stays inert.
  await A.page.getByTestId("action-take").click();
  await A.page.getByTestId("composer-text").fill(hostile.reply);
  await A.page.getByTestId("composer-send").click();
  await A.page.getByTestId("message").filter({ hasText: hostile.reply }).waitFor();
  const [m] = await serverHolds("anna", dialogId, [hostile.reply]);
  assert.equal(m.text, hostile.reply);

  // Search finds the client and the messages, still as text.
  await A.page.getByTestId("search-input").fill("pwned");
  const results = A.page.getByTestId("search-results");
  await results.locator(".client-name", { hasText: hostile.name }).first().waitFor();
  await results.locator(".last-text", { hasText: hostile.script }).waitFor();
  await A.page.getByTestId("search-input").fill("");

  await assertInert(A);
  await assertInert(B);
});

const hostileComment = `<img src=x onerror="window.__pwned='comment'"> <script>window.__pwned='comment'</script> can you check the refund?`;

test("A mentions B in a comment: B's centre lists it and B's app alerted; the customer never gets it; B types and A sees it", async () => {
  // B looks at a dialog of its own, so the mentioned one is not on its screen.
  await B.page.getByTestId("tab-mine").click();
  await B.page.getByTestId("dialog-row").filter({ has: B.page.locator(".client-name", { hasText: "Emily Stone" }) }).click();
  await B.page.locator(".conversation-title", { hasText: "Emily Stone" }).waitFor();
  const noticesBefore = Number((await B.page.getByTestId("notices-unread").count()) ? await B.page.getByTestId("notices-unread").textContent() : 0);

  // A writes a comment in her dialog and mentions James with "@".
  await A.page.getByTestId("tab-mine").click();
  await row(A.page, "dl-demo-05").click();
  await A.page.getByTestId("composer-kind-comment").click();
  const box = A.page.getByTestId("composer-text");
  await box.click();
  await box.pressSequentially("@Jam");
  await A.page.getByTestId("mention-option").filter({ hasText: "James Miller" }).waitFor();
  await box.press("Enter");
  await box.pressSequentially(hostileComment);
  const text = `@James Miller ${hostileComment}`;
  assert.equal(await box.inputValue(), text);
  await box.press("Control+Enter");
  const mine = A.page.locator('[data-testid=message][data-kind=comment]').filter({ hasText: "can you check the refund?" });
  await mine.waitFor();
  assert.equal(await mine.locator(".message-text").textContent(), text);
  assert.equal(await mine.getByTestId("message-mentions").textContent(), "Mentions: James Miller");

  // The server keeps it as a comment with its mention: no delivery, no way to the customer.
  const [m] = await serverHolds("anna", "dl-demo-05", [text]);
  assert.equal(m.kind, "comment");
  assert.deepEqual(m.mentions, ["op-james"]);
  assert.equal(m.delivery ?? "", "");
  assert.equal(m.externalId ?? "", "");

  // B's notification centre lists the mention, in Russian, as text.
  await eventually(
    async () => Number(await B.page.getByTestId("notices-unread").textContent()) > noticesBefore,
    () => `B's unread notices never grew\n${logs()}`,
  );
  await B.page.getByTestId("notices-button").click();
  const entry = B.page.locator("[data-testid=notice-item][data-kind=mention][data-dialog-id=dl-demo-05]");
  await entry.waitFor();
  assert.equal(await entry.locator(".notice-title span").textContent(), "Анна Смирнова упоминает вас");
  assert.equal(await entry.locator(".notice-body").textContent(), text);
  // B's Alerter raised the native alert (the dev build's hook lists what it raised).
  const raised = await eventually(
    () => B.page.evaluate(async () => (await window.go.app.Dev.RaisedAlerts()).find((a) => a.kind === "mention" && a.dialogId === "dl-demo-05")),
    () => `B's Alerter never raised the mention\n${logs()}`,
  );
  // Its words follow the alert language, which the app's own window (also
  // open under Xvfb, in English) and this page may both have set.
  assert.ok(["Анна Смирнова упоминает вас", "Анна Смирнова mentioned you"].includes(raised.title), raised.title);
  assert.ok(raised.body.startsWith(text), raised.body);

  // The link opens the dialog and reads the entry.
  await entry.getByTestId("notice-open").click();
  await B.page.locator(".conversation-title", { hasText: "John Carter" }).waitFor();
  await B.page.locator('[data-testid=message][data-kind=comment]').filter({ hasText: "can you check the refund?" }).waitFor();
  await eventually(async () => {
    await B.page.getByTestId("notices-button").click();
    const unread = await entry.evaluate((el) => el.classList.contains("unread"));
    await B.page.getByTestId("notices-button").click();
    return !unread;
  }, "the opened mention still unread");

  // B (not the assignee: comments only) types; A sees it above her composer.
  assert.equal(await B.page.getByTestId("composer-kind-outbound").count(), 0);
  await B.page.getByTestId("composer-text").pressSequentially("Смотрю");
  await A.page.getByTestId("activity-typing").getByText("James Miller is typing…", { exact: true }).waitFor({ timeout: 15_000 });
  await B.page.getByTestId("activity-typing").getByText("Вы печатаете…", { exact: true }).waitFor();
  // A types too: "You, James Miller are typing…", as the seeds word it.
  await A.page.getByTestId("composer-kind-outbound").click();
  await A.page.getByTestId("composer-text").pressSequentially("Hi");
  await A.page.getByTestId("activity-typing").getByText("You, James Miller are typing…", { exact: true }).waitFor();
  await B.page.getByTestId("activity-typing").getByText("Вы, Анна Смирнова печатают…", { exact: true }).waitFor();
  // B clears the draft: A sees B stop typing, still viewing.
  await B.page.getByTestId("composer-text").fill("");
  await A.page.getByTestId("activity-typing").getByText("You are typing…", { exact: true }).waitFor({ timeout: 15_000 });
  await A.page.getByTestId("activity-viewing").getByText("Also viewing: James Miller", { exact: true }).waitFor();
  await A.page.getByTestId("composer-text").fill("");

  // The window title carries the total of the counters.
  const counters = await B.page.evaluate(() => window.go.app.Inbox.Counters());
  assert.equal(await B.page.title(), counters.total > 0 ? `(${counters.total}) Switchboard` : "Switchboard");

  await assertInert(A);
  await assertInert(B);
});

test("B signs out and in as another operator; the seed's hostile dialog is text too", async () => {
  await B.page.getByRole("button", { name: "Выйти" }).click();
  await B.page.getByTestId("login-form").waitFor();
  assert.equal(await B.page.locator("input[name=server]").inputValue(), server.url);
  await signIn(B.page, "taras");

  // dl-demo-09: a customer named <img src=x onerror=alert(1)> wrote a <script>.
  const r = row(B.page, "dl-demo-09");
  await r.waitFor({ timeout: 30_000 });
  assert.equal(await r.locator(".client-name").textContent(), "<img src=x onerror=alert(1)>");
  // James's replica went with him: his line's dialogs are not Taras's.
  assert.equal(await row(B.page, "dl-demo-05").count(), 0);
  await r.click();
  await B.page.getByTestId("message").first().waitFor();
  assert.deepEqual(await timeline(B.page), ["<script>window.pwned=1</script> hello <b>bold</b>"]);
  assert.equal(await B.page.locator(".message-text b, .message-text script").count(), 0);
  await assertInert(B);
});
