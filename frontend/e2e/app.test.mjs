// End-to-end UI tests: the dev build of the desktop app under Xvfb, its
// page driven through Chromium (playwright-core, the Debian chromium; no
// browser download). Bound Go methods work from the page, so the whole
// path UI -> Go services -> replica -> sync client is real.
//
// APP_BIN names the dev build (go build -tags dev,sqlite_fts5); the test
// starts it, with its assets from frontend/dist.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import net from "node:net";
import { chromium } from "playwright-core";
import { startFakeServer, hostile } from "./fakeserver.mjs";

const frontendDir = resolve(import.meta.dirname, "..");
let app, browser, fake, dataDir, base;
const appLog = [];

function freePort() {
  return new Promise((res) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function waitForHttp(url, what) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up; app log:\n${appLog.join("")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  const bin = process.env.APP_BIN;
  assert.ok(bin, "APP_BIN must name the dev build of the app");
  fake = await startFakeServer();
  dataDir = mkdtempSync(join(tmpdir(), "switchboard-e2e-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = spawn("xvfb-run", ["-a", bin, "-assetdir", join(frontendDir, "dist"), "-devserver", `127.0.0.1:${port}`], {
    detached: true, // its own process group, so Xvfb goes with it
    env: {
      ...process.env,
      SWITCHBOARD_DATA_DIR: dataDir,
      SWITCHBOARD_SERVER: fake.url,
      DBUS_SESSION_BUS_ADDRESS: "unix:path=/nonexistent",
      NO_AT_BRIDGE: "1",
    },
  });
  app.stdout.on("data", (d) => appLog.push(String(d)));
  app.stderr.on("data", (d) => appLog.push(String(d)));
  await waitForHttp(base, "the app's dev server");
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
    ],
  });
});

after(async () => {
  await browser?.close();
  if (app?.pid) {
    try {
      process.kill(-app.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  await fake?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Opens the app in a fresh browser context; collects CSP violations and page errors. */
async function open(locale) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => {
    // Wails' own dev-mode overlay (a Svelte component in /wails/ipc.js)
    // throws on load in a plain browser; it is not part of our page.
    if (String(e.stack).includes("/wails/ipc.js")) return;
    problems.push(`pageerror: ${e.message}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  await page.goto(base);
  return { context, page, problems };
}

const headings = {
  "en-US": { heading: "Sign in to your team", submit: "Sign in", lang: "en" },
  "ru-RU": { heading: "Вход в рабочее пространство", submit: "Войти", lang: "ru" },
  "uk-UA": { heading: "Вхід до робочого простору", submit: "Увійти", lang: "uk" },
};

for (const [locale, want] of Object.entries(headings)) {
  test(`the sign-in screen follows the OS language ${locale}`, async () => {
    const { context, page, problems } = await open(locale);
    try {
      await page.getByTestId("login-form").waitFor();
      assert.equal(await page.locator(".login-card h2").textContent(), want.heading);
      assert.equal(await page.getByTestId("login-submit").textContent(), want.submit);
      assert.equal(await page.evaluate(() => document.documentElement.lang), want.lang);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
}

test("switching the language relabels the sign-in screen", async () => {
  const { context, page } = await open("en-US");
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
  const { context, page } = await open("en-US");
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

test("hostile customer text is shown as text and runs nothing", async () => {
  const { context, page, problems } = await open("en-US");
  try {
    await page.locator("input[name=email]").fill("anna@demo.switchboard");
    await page.locator("input[name=password]").fill("demo1234");
    await page.getByTestId("login-submit").click();

    const row = page.getByTestId("dialog-row").first();
    await row.waitFor({ timeout: 30_000 });
    assert.equal(await row.locator(".client-name").textContent(), hostile.name);
    assert.equal(await row.locator(".last-text").textContent(), hostile.message);

    await row.click();
    const messages = page.getByTestId("message");
    await messages.nth(2).waitFor();
    const texts = await messages.locator(".message-text").allTextContents();
    assert.deepEqual(texts, [hostile.message, hostile.script, hostile.link]);
    const card = page.getByTestId("client-card");
    await card.getByText(hostile.note).waitFor();
    await card.getByText(hostile.link).waitFor();

    // Search finds the client and the messages, still as text.
    await page.getByTestId("search-input").fill("pwned");
    const results = page.getByTestId("search-results");
    await results.locator(".client-name", { hasText: hostile.name }).first().waitFor();
    await results.locator(".last-text", { hasText: hostile.script }).waitFor();
    await page.getByTestId("search-input").fill("");

    // Nothing the customer wrote became an element or ran.
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.equal(await page.locator('a[href^="javascript:"]').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(problems, []);

    // Taking the dialog moves it to Mine at once (optimistic), and the
    // command reaches the server.
    await page.getByTestId("action-take").click();
    await page.getByTestId("count-mine").getByText("1").waitFor();
    const deadline = Date.now() + 30_000;
    while (!fake.commands.some((c) => c.type === "dialog.take")) {
      assert.ok(Date.now() < deadline, "dialog.take never reached the server");
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(JSON.parse(JSON.stringify(fake.commands.find((c) => c.type === "dialog.take").payload)), { dialogId: "d1" });
  } finally {
    await context.close();
  }
});
