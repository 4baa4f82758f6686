// End-to-end tests of quick-reply templates: the composer's "/" picker
// against the real team server (demo workspace) and two desktop apps,
// anna@ (A) and james@ (B). Anna answers Игорь Петров (dl-demo-02, hers,
// line Продажи); James answers Emily Stone (dl-demo-06, his). The demo's
// team templates are there for both; personal ones only for their owner.
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
  appA = new DesktopApp("tpl-a", server.url);
  appB = new DesktopApp("tpl-b", server.url);
  await Promise.all([appA.start(), appB.start()]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([appA?.close(), appB?.close()]);
  await server?.close();
});

const logs = () =>
  [
    `--- server\n${server.log.join("").slice(-4000)}`,
    `--- app A\n${appA.log.join("").slice(-4000)}`,
    `--- app B\n${appB.log.join("").slice(-4000)}`,
  ].join("\n");

const row = (page, dialogId) => page.locator(`[data-testid=dialog-row][data-dialog-id="${dialogId}"]`);
const options = (page) => page.getByTestId("template-option");
const optionTitles = (page) => options(page).locator(".template-title").allTextContents();

/** The templates the server sends `who`, by id (what its sync feed holds after every put and removal). */
async function serverTemplates(who) {
  const auth = `Bearer ${await server.token(who)}`;
  const out = new Map();
  for (let after = 0; ; ) {
    const page = await server.request("GET", `/api/v1/sync/pull?after=${after}&limit=10000`, { auth });
    for (const c of page.changes) {
      if (c.kind !== "template") continue;
      if (c.op === "del") out.delete(c.id);
      else out.set(c.id, c.data);
    }
    if (!page.more) return out;
    after = page.next;
  }
}

/** Opens one of the operator's own dialogs from Mine. */
async function openMine(page, dialogId) {
  await page.getByTestId("tab-mine").click();
  await row(page, dialogId).click();
  await page.getByTestId("composer-kind-outbound").waitFor();
}

/** Empties the composer and types into it key by key, as an operator does. */
async function typeInComposer(page, text) {
  const box = page.getByTestId("composer-text");
  await box.fill("");
  await box.focus();
  await page.keyboard.type(text);
}

test("both operators sign in and open a dialog of their own", async () => {
  A = await openPage(browser, appA, "en-US");
  B = await openPage(browser, appB, "en-US");
  await Promise.all([signIn(A.page, "anna"), signIn(B.page, "james")]);
  await openMine(A.page, "dl-demo-02");
  await openMine(B.page, "dl-demo-06");
});

test("/ and part of a title finds the template; Up/Down choose, Enter inserts it filled with the client's name; it is sent", async () => {
  const { page } = A;
  // Cyrillic, any case: "прив" finds the Russian and the Ukrainian
  // greetings by title, then Anna's own template whose text says "привезут".
  await typeInComposer(page, "/ПрИв");
  await eventually(
    async () => (await optionTitles(page)).join("|") === "Приветствие|Привітання|Доставка завтра",
    async () => `picker shows ${await optionTitles(page)}`,
  );
  const selected = async () => {
    const flags = await options(page).evaluateAll((els) => els.map((el) => el.getAttribute("aria-selected")));
    return flags.indexOf("true");
  };
  assert.equal(await selected(), 0);
  for (const [key, want] of [["ArrowDown", 1], ["ArrowDown", 2], ["ArrowDown", 0], ["ArrowUp", 2], ["ArrowUp", 1], ["ArrowUp", 0]]) {
    await page.keyboard.press(key);
    assert.equal(await selected(), want, `after ${key}`);
  }
  // What follows the title narrows further, and the preview is filled.
  await page.keyboard.type("етс");
  await eventually(async () => (await optionTitles(page)).join("|") === "Приветствие", "typing on did not narrow the picker to Приветствие");
  const filled = "Здравствуйте, Игорь Петров! Меня зовут Анна Смирнова, чем могу помочь?";
  assert.equal(await options(page).first().getByTestId("template-preview").textContent(), filled);
  await page.keyboard.press("Enter");
  await page.getByTestId("template-picker").waitFor({ state: "detached" });
  assert.equal(await page.getByTestId("composer-text").inputValue(), filled);
  // The caret is after the inserted text: what is typed next goes there.
  await page.keyboard.type(" :)");
  assert.equal(await page.getByTestId("composer-text").inputValue(), `${filled} :)`);

  await page.getByTestId("composer-send").click();
  await eventually(
    async () => (await server.messages("anna", "dl-demo-02")).some((m) => m.text === `${filled} :)` && m.kind === "outbound"),
    () => `the server never held the greeting\n${logs()}`,
  );
  assert.equal(await page.getByTestId("composer-text").inputValue(), "");
});

test("\\ opens the picker too, text matches as well as titles, Esc closes it and leaves the text", async () => {
  const { page } = A;
  // "передан" is only in the text of Anna's own template.
  await typeInComposer(page, "\\передан");
  await eventually(async () => (await optionTitles(page)).join("|") === "Доставка завтра", async () => `picker shows ${await optionTitles(page)}`);
  await page.keyboard.press("Escape");
  await page.getByTestId("template-picker").waitFor({ state: "detached" });
  assert.equal(await page.getByTestId("composer-text").inputValue(), "\\передан");
  // Closed stays closed while typing on...
  await page.keyboard.type("у");
  assert.equal(await page.getByTestId("template-picker").count(), 0);
  // ...and a line that does not start with / never opens it.
  await typeInComposer(page, "a/b");
  assert.equal(await page.getByTestId("template-picker").count(), 0);
  await typeInComposer(page, "/zzzz");
  await page.getByTestId("template-none").waitFor();
  await page.keyboard.press("Escape");
  await page.getByTestId("composer-text").fill("");
});

test("a personal template made in the picker is Anna's alone: James never sees it", async () => {
  const { page } = A;
  await typeInComposer(page, "/Счёт");
  await page.getByTestId("template-none").waitFor();
  await page.getByTestId("template-new").click();
  await page.getByTestId("template-form").waitFor();
  // The title starts as what was typed after the "/".
  assert.equal(await page.getByTestId("template-title").inputValue(), "Счёт");
  await page.getByTestId("template-title").fill("Счёт отправлен");
  // A misspelt variable is refused in the form, nothing lost.
  await page.getByTestId("template-text").fill("{client.nmae}, счёт отправлен");
  await page.getByTestId("template-save").click();
  await page.getByTestId("template-error").waitFor();
  assert.equal(await page.getByTestId("template-title").inputValue(), "Счёт отправлен");
  // The variable button inserts it right.
  await page.getByTestId("template-text").fill(", счёт отправлен на почту.");
  await page.getByTestId("template-text").evaluate((el) => el.setSelectionRange(0, 0));
  await page.getByTestId("template-var-client.name").click();
  assert.equal(await page.getByTestId("template-text").inputValue(), "{client.name}, счёт отправлен на почту.");
  // An operator may not make team templates: the choice is not offered.
  assert.equal(await page.getByTestId("template-global").count(), 0);
  await page.getByTestId("template-save").click();
  await page.getByTestId("template-form").waitFor({ state: "detached" });

  // In the list at once; ё and е are one letter to the filter.
  await typeInComposer(page, "/счет");
  await eventually(async () => (await optionTitles(page)).join("|") === "Счёт отправлен", async () => `picker shows ${await optionTitles(page)}`);
  assert.equal(await options(page).first().locator(".template-badge").textContent(), "Mine");
  assert.equal(await options(page).first().getByTestId("template-preview").textContent(), "Игорь Петров, счёт отправлен на почту.");
  await page.keyboard.press("Escape");

  // The server has it, for Anna only.
  const mine = await eventually(
    async () => [...(await serverTemplates("anna")).values()].find((t) => t.title === "Счёт отправлен"),
    () => `the server never held Anna's template\n${logs()}`,
  );
  assert.equal(mine.ownerId, "op-anna");
  assert.equal(mine.text, "{client.name}, счёт отправлен на почту.");
  assert.ok(!(await serverTemplates("james")).has(mine.id), "the server sends James Anna's personal template");

  // James's picker: the team's templates, none of Anna's.
  await typeInComposer(B.page, "/");
  await eventually(async () => (await optionTitles(B.page)).includes("Greeting"), "James's picker never listed the team's Greeting");
  const titles = await optionTitles(B.page);
  assert.ok(!titles.includes("Счёт отправлен") && !titles.includes("Доставка завтра"), `James sees ${titles}`);
  await B.page.keyboard.type("счет");
  await B.page.getByTestId("template-none").waitFor();
  // James may not edit the team's templates either.
  await typeInComposer(B.page, "/greet");
  await eventually(async () => (await optionTitles(B.page)).join("|") === "Greeting", "James's picker never narrowed to Greeting");
  assert.equal(await B.page.getByTestId("template-edit").count(), 0);
  await B.page.keyboard.press("Enter");
  assert.equal(await B.page.getByTestId("composer-text").inputValue(), "Hi Emily Stone! I'm James Miller, how can I help?");
  await B.page.getByTestId("composer-text").fill("");
});

test("Anna edits and deletes her template from the picker; the server follows", async () => {
  const { page } = A;
  await typeInComposer(page, "/счет");
  await eventually(async () => (await optionTitles(page)).join("|") === "Счёт отправлен", "Anna's template is not in her picker");
  await options(page).first().getByTestId("template-edit").click();
  await page.getByTestId("template-title").fill("Счёт выслан");
  await page.getByTestId("template-text").fill("{client.name}, обращение №{dialog.number}: счёт выслан.");
  await page.getByTestId("template-save").click();
  await page.getByTestId("template-form").waitFor({ state: "detached" });
  await eventually(async () => (await optionTitles(page)).join("|") === "Счёт выслан", async () => `after the edit the picker shows ${await optionTitles(page)}`);
  const number = (await server.dialog("anna", "dl-demo-02")).number;
  assert.equal(await options(page).first().getByTestId("template-preview").textContent(), `Игорь Петров, обращение №${number}: счёт выслан.`);
  await eventually(
    async () => [...(await serverTemplates("anna")).values()].some((t) => t.title === "Счёт выслан"),
    () => `the server never held the edit\n${logs()}`,
  );

  await options(page).first().getByTestId("template-delete").click();
  await options(page).first().getByTestId("template-delete-confirm").click();
  await page.getByTestId("template-none").waitFor();
  await eventually(
    async () => ![...(await serverTemplates("anna")).values()].some((t) => t.title.startsWith("Счёт")),
    () => `the server still holds the deleted template\n${logs()}`,
  );
  await page.getByTestId("composer-text").fill("");
});

test("hostile template text from a colleague is shown and inserted as text", async () => {
  const title = `<img src=x onerror="window.pwnedTitle=1">Evil`;
  const text = `<script>window.pwnedText=1</script><b>bold</b> {client.name}`;
  await server.commands("admin", [{ type: "template.save", payload: { templateId: "tpl-evil", title, text, global: true } }]);
  const { page } = A;
  await typeInComposer(page, "/evil");
  await eventually(async () => (await optionTitles(page)).join("|") === title, async () => `picker shows ${await optionTitles(page)}\n${logs()}`);
  const picker = page.getByTestId("template-picker");
  assert.equal(await picker.locator("img, script, b").count(), 0);
  assert.equal(await options(page).first().getByTestId("template-preview").textContent(), "<script>window.pwnedText=1</script><b>bold</b> Игорь Петров");
  await page.keyboard.press("Enter");
  assert.equal(await page.getByTestId("composer-text").inputValue(), "<script>window.pwnedText=1</script><b>bold</b> Игорь Петров");
  assert.deepEqual(await page.evaluate(() => [window.pwnedTitle, window.pwnedText]), [undefined, undefined]);
  await page.getByTestId("composer-text").fill("");
  assert.deepEqual(A.problems, []);
  assert.deepEqual(B.problems, []);
});
