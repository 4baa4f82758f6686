// The supervisor's charted reports end to end: the real team server (demo
// workspace) and a dev build of the app signed in as sofia@ (supervisor).
// James answers and tags John Carter's unassigned e-mail dialog
// (dl-demo-05) first, with a tag whose name is markup; Sofia opens the
// reports and sees the dialogs-per-day chart drawn, the median first
// response the server computes, and the tag's name as text.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { TeamServer, DesktopApp, launchBrowser, openPage, signIn, eventually } from "./harness.mjs";

let server, app, browser, S;
const tagName = "Refund <i>e2e</i>";
const day = 24 * 3600 * 1000;

before(async () => {
  server = new TeamServer();
  await server.start();
  app = new DesktopApp("reports", server.url);
  await app.start();
  browser = await launchBrowser();
  const tagId = crypto.randomUUID();
  await server.commands("james", [
    { type: "tag.create", payload: { tagId, name: tagName } },
    { type: "dialog.tag", payload: { dialogId: "dl-demo-05", tagId } },
    { type: "message.send", payload: { messageId: crypto.randomUUID(), dialogId: "dl-demo-05", kind: "outbound", text: "We are on it." } },
  ]);
});

after(async () => {
  await browser?.close();
  await app?.close();
  await server?.close();
});

const logs = () => [`--- server\n${server.log.join("").slice(-3000)}`, `--- app\n${app.log.join("").slice(-3000)}`].join("\n");

/** The UI's formatDuration (console/format.ts) for en-US. */
function formatDuration(ms) {
  if (ms < 0) return "—";
  const s = Math.round(ms / 1000);
  const nf = new Intl.NumberFormat("en-US", { minimumIntegerDigits: 2 });
  const unit = (u, n) => new Intl.NumberFormat("en-US", { style: "unit", unit: u, unitDisplay: "narrow" }).format(n);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${unit("hour", h)} ${nf.format(m)}′`;
  if (m > 0) return `${unit("minute", m)} ${nf.format(s % 60)}″`;
  return unit("second", s % 60);
}

test("reports draw the dialogs per day and show the server's percentiles and tags as text", async () => {
  S = await openPage(browser, app, "en-US");
  await signIn(S.page, "sofia");
  await S.page.getByTestId("open-console").click();
  await S.page.getByTestId("console-reports").click();
  await S.page.getByTestId("analytics").waitFor({ timeout: 30_000 });

  // The chart is an SVG with a line per demo line; its legend names them.
  const chart = S.page.getByTestId("chart-volume");
  await chart.locator("svg polyline").first().waitFor({ timeout: 30_000 });
  const box = await chart.locator("svg").first().boundingBox();
  assert.ok(box && box.width > 100 && box.height > 100, `the chart's drawing is ${JSON.stringify(box)}`);
  await eventually(async () => (await chart.locator(".chart-key").allTextContents()).includes("International"), () => `no International in the legend\n${logs()}`);

  // The same period the panel asks for: the last 30 local days.
  const midnight = (ms) => new Date(new Date(ms).toDateString()).getTime();
  const from = midnight(Date.now() - 29 * day);
  const to = midnight(Date.now()) + day;
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const api = await server.request("GET", `/api/v1/reports/analytics?from=${from}&to=${to}&tz=${encodeURIComponent(tz)}&by=line`, {
    auth: `Bearer ${await server.token("sofia")}`,
  });
  const total = api.percentiles[0];
  assert.ok(total.answered >= 2, `answered dialogs = ${total.answered}`);
  await eventually(
    async () => (await S.page.getByTestId("figure-frtP50").locator("b").textContent()) === formatDuration(total.frtP50Ms),
    async () => `median first response shows ${await S.page.getByTestId("figure-frtP50").textContent()}, the server says ${formatDuration(total.frtP50Ms)}\n${logs()}`,
  );
  const allRow = S.page.getByTestId("percentiles").locator("tbody tr").first();
  assert.equal(await allRow.locator("td").first().textContent(), "All together");
  assert.equal(await allRow.locator("td").nth(1).textContent(), String(total.answered));

  // James's tag, its markup shown as text.
  const tagRow = S.page.getByTestId("tag-report").locator("tbody tr", { hasText: "Refund" });
  await tagRow.waitFor();
  assert.equal(await tagRow.locator("td").first().textContent(), tagName);
  assert.equal(await S.page.locator("[data-testid=tag-report] i").count(), 0);
  assert.deepEqual(S.problems ?? [], []);

  // Grouped by channel, the legend names channels instead.
  await S.page.getByTestId("analytics-by").selectOption("channel");
  await eventually(async () => (await chart.locator(".chart-key").allTextContents()).includes("support@demo.switchboard"), "the channel legend");
});
