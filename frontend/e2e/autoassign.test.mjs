// End-to-end test of auto-assignment: the admin gives Taras a capacity
// (a bad one is refused in words first) and turns line-support to
// round-robin in the app; a new customer's dialog then lands in Taras's
// Mine by itself, while he is online.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TeamServer, DesktopApp, launchBrowser, openPage, signIn } from "./harness.mjs";

let server, appA, appT, browser;

before(async () => {
  server = new TeamServer();
  await server.start();
  appA = new DesktopApp("admin", server.url);
  appT = new DesktopApp("taras", server.url);
  await Promise.all([appA.start(), appT.start()]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([appA?.close(), appT?.close()]);
  await server?.close();
});

test("a line set to round-robin in admin gives a new dialog to an online operator's Mine", async () => {
  // Taras is online: his app is signed in and live.
  const T = await openPage(browser, appT, "en-US");
  await signIn(T.page, "taras");
  await T.page.getByTestId("tab-mine").waitFor();

  const A = await openPage(browser, appA, "en-US");
  await signIn(A.page, "admin");
  await A.page.getByTestId("open-console").click();
  await A.page.getByTestId("console").waitFor();
  await A.page.getByTestId("console-admin").click();

  // Capacity: 101 is refused with what is allowed; 10 is saved.
  await A.page.locator("[data-testid=operators-item][data-id=op-taras]").click();
  const form = A.page.getByTestId("operator-form");
  await form.locator("input[name=capacity]").fill("101");
  await A.page.getByTestId("operator-save").click();
  await form.locator(".field.invalid input[name=capacity]").waitFor();
  assert.equal(await form.locator(".field-error").first().textContent(), "Enter a whole number from 0 to 100.");
  await form.locator("input[name=capacity]").fill("10");
  await A.page.getByTestId("operator-save").click();
  await A.page.getByTestId("form-saved").waitFor();

  // The line: round-robin.
  await A.page.getByTestId("admin-lines").click();
  await A.page.locator("[data-testid=lines-item][data-id=line-support]").click();
  const line = A.page.getByTestId("lines-form");
  await line.locator("select[name=autoAssign]").selectOption("round_robin");
  await A.page.getByTestId("lines-save").click();
  await A.page.getByTestId("form-saved").waitFor();
  const admin = `Bearer ${await server.token("admin")}`;
  const org = await server.request("GET", "/api/v1/admin/org", { auth: admin });
  assert.equal(org.lines.find((l) => l.id === "line-support").autoAssign, "round_robin");
  assert.equal(org.operators.find((o) => o.id === "op-taras").capacity, 10);

  // A customer writes on the site chat: the dialog is Taras's at once.
  await server.ingest([
    {
      id: crypto.randomUUID(),
      type: "inbound.message",
      payload: { channelId: "ch-webchat", externalId: `e2e-${crypto.randomUUID()}`, contact: { externalId: "visitor-42", name: "Round Robin Visitor" }, text: "Hello, is anyone there?" },
    },
  ]);
  await T.page.getByTestId("tab-mine").click();
  const row = T.page.getByTestId("dialog-row").filter({ hasText: "Round Robin Visitor" });
  await row.waitFor({ timeout: 30_000 });
  const id = await row.getAttribute("data-dialog-id");
  const d = await server.dialog("admin", id);
  assert.equal(d.status, "in_progress");
  assert.equal(d.assigneeId, "op-taras");
  assert.deepEqual(A.problems, []);
  assert.deepEqual(T.problems, []);
});

test("a line's business hours and reopen window are set in admin, and a bad zone or window is refused in words", async () => {
  // The admin's app is still signed in from the test before.
  const A = await openPage(browser, appA, "en-US");
  await A.page.getByTestId("open-console").click();
  await A.page.getByTestId("console-admin").click();
  await A.page.getByTestId("admin-lines").click();
  await A.page.locator("[data-testid=lines-item][data-id=line-sales]").click();
  const line = A.page.getByTestId("lines-form");
  const hours = line.getByTestId("business-hours");

  // On: Monday to Friday 09:00–18:00 in the admin's zone, as offered.
  await hours.getByTestId("hours-on").check();
  await hours.getByTestId("hours-zone").fill("Mars/Olympus");
  await line.locator("input[name=reopenHours]").fill("9000");
  await A.page.getByTestId("lines-save").click();
  await line.locator(".field.invalid input[name=reopenHours]").waitFor();
  assert.equal(await line.locator(".field.invalid .field-error").first().textContent(), "Give a number of hours from 0 to 8760.");
  await line.locator("input[name=reopenHours]").fill("72");
  await A.page.getByTestId("lines-save").click();
  await hours.locator(".field-error").waitFor();
  assert.match(await hours.locator(".field-error").textContent(), /time zone/);

  // A real zone; Friday closes at 16:00; Saturday opens 10:00–14:00.
  await hours.getByTestId("hours-zone").fill("Europe/Kyiv");
  await hours.getByTestId("hours-day-5").locator("input[type=time]").nth(1).fill("16:00");
  await hours.getByTestId("hours-day-6").locator("input[type=checkbox]").check();
  await hours.getByTestId("hours-day-6").locator("input[type=time]").nth(0).fill("10:00");
  await hours.getByTestId("hours-day-6").locator("input[type=time]").nth(1).fill("14:00");
  await A.page.getByTestId("lines-save").click();
  await A.page.getByTestId("form-saved").waitFor();
  const org = await server.request("GET", "/api/v1/admin/org", { auth: `Bearer ${await server.token("admin")}` });
  const sales = org.lines.find((l) => l.id === "line-sales");
  assert.equal(sales.reopenHours, 72);
  assert.equal(sales.businessHours.timeZone, "Europe/Kyiv");
  assert.deepEqual(sales.businessHours.days.map((d) => d ?? []), [[], [[540, 1080]], [[540, 1080]], [[540, 1080]], [[540, 1080]], [[540, 960]], [[600, 840]]]);
  assert.deepEqual(A.problems, []);
});

test("a line created in admin, with the site chat routed to it, receives the chat's next new dialog", async () => {
  const A = await openPage(browser, appA, "en-US"); // still signed in
  await A.page.getByTestId("open-console").click();
  await A.page.getByTestId("console-admin").click();

  // A new line worked by Taras's group.
  await A.page.getByTestId("admin-lines").click();
  await A.page.getByTestId("lines-new").click();
  const line = A.page.getByTestId("lines-form");
  await line.locator("input[name=name]").fill("Доставка <b>24/7</b>");
  await line.getByTestId("line-operator-groups").locator("input[value=g-support]").check();
  await A.page.getByTestId("lines-save").click();
  await A.page.getByTestId("form-saved").waitFor();
  const auth = `Bearer ${await server.token("admin")}`;
  let org = await server.request("GET", "/api/v1/admin/org", { auth });
  const created = org.lines.find((l) => l.name === "Доставка <b>24/7</b>");
  assert.ok(created, "the new line is on the server");

  // The site chat now routes to it.
  await A.page.getByTestId("admin-channels").click();
  await A.page.locator("[data-testid=channels-item][data-id=ch-webchat]").click();
  await A.page.getByTestId("channels-form").locator("select[name=lineId]").selectOption(created.id);
  await A.page.getByTestId("channels-save").click();
  await A.page.getByTestId("form-saved").waitFor();
  org = await server.request("GET", "/api/v1/admin/org", { auth });
  assert.equal(org.channels.find((c) => c.id === "ch-webchat").lineId, created.id);

  // A new customer writes on the site chat: the dialog is in the new line,
  // and Taras, who works it, sees it with the line's name as text.
  await server.ingest([
    {
      id: crypto.randomUUID(),
      type: "inbound.message",
      payload: { channelId: "ch-webchat", externalId: `e2e-${crypto.randomUUID()}`, contact: { externalId: "visitor-new-line", name: "New Line Visitor" }, text: "Where is my parcel?" },
    },
  ]);
  const T = await openPage(browser, appT, "en-US"); // signed in by the first test
  await T.page.getByTestId("tab-unassigned").click();
  const row = T.page.getByTestId("dialog-row").filter({ hasText: "New Line Visitor" });
  await row.waitFor({ timeout: 30_000 });
  const d = await server.dialog("admin", await row.getAttribute("data-dialog-id"));
  assert.equal(d.lineId, created.id);
  assert.match(await row.textContent(), /Доставка <b>24\/7<\/b>/, "the line's name shows as text");
  assert.deepEqual(A.problems, []);
  assert.deepEqual(T.problems, []);
});
