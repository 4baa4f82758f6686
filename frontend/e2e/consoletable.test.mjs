// The supervisor's dialog table, end to end against the real team server
// (demo workspace): Sofia chooses dialogs by column filter and shift-click,
// forwards them to James in one bulk action and the server holds them as
// James's; a bulk forward the rules refuse is named in words, dialog by
// dialog; closing many asks first; a column filter by client narrows.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TeamServer, DesktopApp, launchBrowser, openPage, signIn, eventually } from "./harness.mjs";

let server, app, browser, S;

before(async () => {
  server = new TeamServer();
  await server.start();
  app = new DesktopApp("table-sofia", server.url);
  await app.start();
  browser = await launchBrowser();
  S = await openPage(browser, app, "en-US");
  await signIn(S.page, "sofia");
});

after(async () => {
  await browser?.close();
  await app?.close();
  await server?.close();
});

const logs = () => [`--- server\n${server.log.join("").slice(-3000)}`, `--- app\n${app.log.join("").slice(-3000)}`].join("\n");
const total = async (page) => Number((await page.getByTestId("table-total").textContent()).replace(/\D/g, ""));
const rowIds = (page) => page.getByTestId("table-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-dialog-id")));

test("Sofia forwards three unassigned dialogs to James at once, and the server holds them as his", async () => {
  const page = S.page;
  await page.getByTestId("open-console").click();
  await page.getByTestId("console").waitFor();
  await eventually(async () => (await total(page)) === 11, () => `the table never showed 11 dialogs\n${logs()}`);

  // The status column's own filter: the four unassigned dialogs.
  await page.getByTestId("colfilter-status").selectOption("unassigned");
  await eventually(async () => (await total(page)) === 4 && (await page.getByTestId("table-row").count()) === 4, "four unassigned dialogs");
  const ids = await rowIds(page);

  // Click the first, shift-click the third: three chosen.
  const picks = page.getByTestId("row-pick");
  await picks.nth(0).click();
  await picks.nth(2).click({ modifiers: ["Shift"] });
  assert.equal(await page.getByTestId("bulk-count").textContent(), "Chosen: 3");
  const chosen = ids.slice(0, 3);

  // Closing many asks first; cancelling leaves them be.
  await page.getByTestId("bulk-close").click();
  await page.getByTestId("bulk-confirm").waitFor();
  assert.match(await page.getByTestId("bulk-confirm").textContent(), /Close 3 dialogs\?/);
  await page.getByTestId("bulk-confirm-no").click();
  assert.equal(await page.getByTestId("bulk-count").textContent(), "Chosen: 3");

  await page.getByTestId("bulk-operator").selectOption("op-james");
  await page.getByTestId("bulk-assign").click();
  await eventually(async () => (await page.getByTestId("bulk-result").textContent()).includes("Dialogs forwarded: 3."), async () => `result: ${await page.getByTestId("bulk-result").textContent()}`);
  // They left the unassigned view at once (optimistic), and the server ran each.
  await eventually(async () => (await total(page)) === 1, "one unassigned dialog left");
  await eventually(
    async () => {
      const ds = await Promise.all(chosen.map((id) => server.dialog("sofia", id)));
      return ds.every((d) => d.assigneeId === "op-james" && d.status === "in_progress");
    },
    async () => `the server's dialogs: ${JSON.stringify(await Promise.all(chosen.map((id) => server.dialog("sofia", id))))}\n${logs()}`,
  );
  assert.equal((await server.dialog("sofia", ids[3])).assigneeId ?? "", "", "the fourth, not chosen, is still nobody's");
  assert.deepEqual(S.problems, []);
});

test("a bulk forward the rules refuse says which dialogs and why", async () => {
  const page = S.page;
  await page.getByTestId("colfilter-status").selectOption("");
  await eventually(async () => (await total(page)) === 11, "the status filter cleared");
  await page.getByTestId("colfilter-line").selectOption("line-intl");
  const lines = () => page.locator("[data-testid=table-row] [data-col=line]").allTextContents();
  await eventually(async () => {
    const n = await total(page);
    const shown = await lines();
    return n > 0 && n < 11 && shown.length === n && shown.every((l) => l === "International");
  }, "International's dialogs");
  // Choose every active dialog in view, and forward them to the line they are on.
  await page.getByTestId("select-all").click();
  await eventually(async () => /Chosen: [1-9]/.test((await page.getByTestId("bulk-count").textContent()) ?? ""), "the active dialogs chosen");
  const n = Number((await page.getByTestId("bulk-count").textContent()).replace(/\D/g, ""));
  await page.getByTestId("bulk-line").selectOption("line-intl");
  await page.getByTestId("bulk-transfer").click();
  const result = page.getByTestId("bulk-result");
  await eventually(async () => (await result.count()) === 1, "a result");
  const text = await result.textContent();
  assert.match(text, new RegExp(`${n} of ${n} could not be forwarded to the line: #\\d+: it is on that line already`));
  // The refused stay chosen.
  assert.equal(await page.getByTestId("bulk-count").textContent(), `Chosen: ${n}`);
  await page.getByTestId("bulk-clear").click();
  assert.equal(await page.getByTestId("bulk-bar").count(), 0);

  // A text column's filter: the client's name contains.
  await page.getByTestId("colfilter-line").selectOption("");
  await page.getByTestId("colfilter-client").fill("carter");
  await eventually(async () => (await total(page)) === 1, "John Carter's dialog alone");
  assert.deepEqual(await page.locator("[data-testid=table-row] [data-col=client]").allTextContents(), ["John Carter"]);
  assert.deepEqual(S.problems, []);
});
