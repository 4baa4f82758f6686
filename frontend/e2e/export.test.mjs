// Export and ratings end to end, against the real team server hosting the
// signed website-chat plugin:
//   - an operator's export by e-mail is refused in words until an admin sets
//     the SMTP server in the app; then the team server mails it to a tiny
//     SMTP listener written here, which checks what arrives;
//   - the operator saves picked messages as an HTML file (the dev build's
//     hook answers the native save dialog);
//   - closing with a rating request reaches the website-chat customer, whose
//     "5" is stored as the dialog's rating; the operator rates the client;
//   - a supervisor rates the dialog and the ratings show in the console's
//     table.
// App A is taras@ (the operator of the chat's line); app B is admin@, then
// sofia@ (supervisor). The tests run in order and share them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { TeamServer, DesktopApp, launchBrowser, openPage, signIn, eventually, freePort } from "./harness.mjs";

/**
 * A tiny SMTP listener: enough of RFC 5321 for one client sending plain
 * mail (EHLO, MAIL, RCPT, DATA, QUIT); it keeps each message's envelope and
 * bytes.
 */
function startSMTP() {
  const mails = [];
  const server = net.createServer((sock) => {
    let buf = "";
    let inData = false;
    let cur = { from: "", to: [], data: "" };
    sock.on("error", () => undefined);
    sock.write("220 e2e ESMTP\r\n");
    sock.on("data", (chunk) => {
      buf += chunk.toString("latin1"); // bytes as they came; the mail is 7-bit
      for (;;) {
        if (inData) {
          const end = buf.indexOf("\r\n.\r\n");
          if (end < 0) return;
          cur.data = buf.slice(0, end + 2).replace(/\r\n\.\./g, "\r\n.");
          buf = buf.slice(end + 5);
          mails.push(cur);
          cur = { from: "", to: [], data: "" };
          inData = false;
          sock.write("250 queued\r\n");
          continue;
        }
        const nl = buf.indexOf("\r\n");
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        const addr = () => /<([^>]*)>/.exec(line)?.[1] ?? "";
        if (verb === "EHLO" || verb === "HELO") sock.write("250 e2e\r\n");
        else if (verb === "MAIL") (cur.from = addr()), sock.write("250 OK\r\n");
        else if (verb === "RCPT") cur.to.push(addr()), sock.write("250 OK\r\n");
        else if (verb === "DATA") (inData = true), sock.write("354 end with <CRLF>.<CRLF>\r\n");
        else if (verb === "QUIT") sock.end("221 bye\r\n");
        else if (verb === "RSET" || verb === "NOOP") sock.write("250 OK\r\n");
        else sock.write("502 not implemented\r\n");
      }
    });
  });
  return new Promise((res) => server.listen(0, "127.0.0.1", () => res({ server, mails, port: server.address().port })));
}

/** Splits a MIME message: its headers and its text parts, quoted-printable decoded. */
function parseMail(raw) {
  const [head, ...rest] = raw.split("\r\n\r\n");
  const body = rest.join("\r\n\r\n");
  const headers = {};
  for (const l of head.replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const i = l.indexOf(":");
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  const boundary = /boundary="?([^";]+)"?/.exec(headers["content-type"])?.[1];
  const parts = {};
  for (const chunk of body.split(`--${boundary}`).slice(1, -1)) {
    const [ph, ...pb] = chunk.replace(/^\r\n/, "").split("\r\n\r\n");
    const type = /content-type:\s*([^;\r\n]+)/i.exec(ph)?.[1].trim();
    const qp = pb.join("\r\n\r\n").replace(/=\r\n/g, "");
    const bytes = [];
    for (let i = 0; i < qp.length; i++) {
      if (qp[i] === "=" && /^[0-9A-F]{2}$/.test(qp.slice(i + 1, i + 3))) {
        bytes.push(parseInt(qp.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(qp.charCodeAt(i));
    }
    parts[type] = Buffer.from(bytes).toString("utf8").replace(/\r\n/g, "\n");
  }
  return { headers, parts };
}

let server, smtp, appA, appB, browser, A, B, chatUrl, files, chatDialog;

before(async () => {
  for (const v of ["WEBCHAT_PKG", "WEBCHAT_PUB", "PLUGIN_TOOL"]) assert.ok(process.env[v], `${v} must be set`);
  smtp = await startSMTP();
  files = mkdtempSync(join(tmpdir(), "switchboard-e2e-export-"));
  server = new TeamServer();
  server.installPlugin(process.env.WEBCHAT_PKG, process.env.WEBCHAT_PUB);
  await server.start();
  const port = await freePort();
  chatUrl = `http://127.0.0.1:${port}`;
  await server.request("PUT", "/api/v1/admin/channels/ch-webchat/settings", {
    auth: `Bearer ${await server.token("admin")}`,
    body: { listen: `127.0.0.1:${port}`, title: "Demo Shop" },
  });
  appA = new DesktopApp("taras", server.url);
  appB = new DesktopApp("admin", server.url);
  await Promise.all([appA.start(), appB.start()]);
  browser = await launchBrowser();
  A = await openPage(browser, appA, "en-US");
  await signIn(A.page, "taras");
});

after(async () => {
  await browser?.close();
  await Promise.all([appA?.close(), appB?.close()]);
  await server?.close();
  smtp?.server.close();
  if (files) rmSync(files, { recursive: true, force: true });
});

const logs = () =>
  [`--- server\n${server.log.join("").slice(-5000)}`, `--- app A\n${appA.log.join("").slice(-3000)}`, `--- app B\n${appB.log.join("").slice(-3000)}`].join("\n");

async function openDialog(page, id) {
  const row = page.locator(`[data-testid=dialog-row][data-dialog-id="${id}"]`);
  await eventually(async () => (await row.count()) === 1, () => `dialog ${id} never showed in the list\n${logs()}`);
  await row.click();
  await page.getByTestId("conversation").waitFor();
}

test("an operator exports a dialog by e-mail once an admin has set the SMTP server, and saves picked messages as HTML", async () => {
  // The demo's hostile website-chat dialog, unassigned on Taras's line.
  await A.page.getByTestId("tab-unassigned").click();
  await openDialog(A.page, "dl-demo-09");
  await A.page.getByTestId("action-export").click();
  await A.page.getByTestId("export-to").fill("boss@example.com");
  await A.page.getByTestId("export-subject").fill("Conversation #9 <urgent>");
  await A.page.getByTestId("export-send").click();
  const outcome = A.page.getByTestId("export-outcome");
  await eventually(async () => /not set up yet/.test((await outcome.textContent()) ?? ""), async () => `no refusal in words: ${await outcome.textContent()}\n${logs()}`);
  assert.equal(smtp.mails.length, 0);

  // The admin sets the SMTP server in the app; a bad port is refused by field.
  B = await openPage(browser, appB, "en-US");
  await signIn(B.page, "admin");
  await B.page.getByTestId("open-console").click();
  await B.page.getByTestId("console-admin").click();
  await B.page.getByTestId("admin-smtp").click();
  const form = B.page.getByTestId("smtp-form");
  await form.locator("input[name=host]").fill("127.0.0.1");
  await form.locator("input[name=port]").fill("0");
  await form.locator("select[name=security]").selectOption("none");
  await form.locator("input[name=from]").fill("Demo Shop <support@demo.switchboard>");
  await B.page.getByTestId("smtp-save").click();
  await form.locator(".field.invalid input[name=port]").waitFor();
  await form.locator("input[name=port]").fill(String(smtp.port));
  await B.page.getByTestId("smtp-save").click();
  await B.page.getByTestId("form-saved").waitFor();

  // Now the same export goes out through the team server.
  await A.page.getByTestId("export-send").click();
  await eventually(async () => /Sent to boss@example\.com/.test((await outcome.textContent()) ?? ""), async () => `not sent: ${await outcome.textContent()}\n${logs()}`);
  await eventually(async () => smtp.mails.length === 1, () => `the SMTP listener got ${smtp.mails.length} mails\n${logs()}`);
  const mail = smtp.mails[0];
  assert.equal(mail.from, "support@demo.switchboard");
  assert.deepEqual(mail.to, ["boss@example.com"]);
  const { headers, parts } = parseMail(mail.data);
  assert.equal(headers.subject, "Conversation #9 <urgent>");
  assert.equal(headers.to, "<boss@example.com>");
  assert.match(headers["content-type"], /^multipart\/alternative/);
  const html = parts["text/html"];
  assert.ok(html.includes("&lt;script&gt;window.pwned=1&lt;/script&gt; hello &lt;b&gt;bold&lt;/b&gt;"), `the customer's text is escaped in the HTML:\n${html}`);
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"), "the client's name is escaped");
  assert.ok(!/<script>window|<img src=x|<b>bold/.test(html), "no customer markup is live in the HTML");
  assert.ok(parts["text/plain"].includes("<script>window.pwned=1</script> hello <b>bold</b>"), "the plain text carries the words as written");

  // Picked messages of Ірина's dialog saved as a file: the comment and her address only.
  await A.page.getByTestId("tab-mine").click();
  await openDialog(A.page, "dl-demo-04");
  await A.page.getByTestId("action-export").click();
  await A.page.getByTestId("export-selected").check();
  await A.page.locator('[data-testid=export-pick][data-message-id="dl-demo-04-m03"]').check();
  await A.page.locator('[data-testid=export-pick][data-message-id="dl-demo-04-m04"]').check();
  const path = join(files, "dialog-4.html");
  await A.page.evaluate((p) => window.go.app.Dev.AnswerSaveDialog(p), path);
  await A.page.getByTestId("export-save").click();
  await eventually(async () => ((await A.page.getByTestId("export-outcome").textContent()) ?? "").includes(path), "the saved path is shown");
  const saved = readFileSync(path, "utf8");
  assert.match(saved, /^<!DOCTYPE html>/);
  assert.ok(saved.includes("вул. Хрещатик, 22, Київ") && saved.includes("чи встигнемо змінити до відправки?"), "the picked messages are in the file");
  assert.ok(!saved.includes("Чи можна змінити адресу"), "a message not picked is not");
  assert.ok(!/<script|<img|https?:\/\//.test(saved), "the file loads and runs nothing");
  assert.deepEqual(A.problems, []);
  assert.deepEqual(B.problems, []);
});

test("closing with a rating request asks the website-chat customer, whose answer is stored; the operator rates the client", async () => {
  const customer = await browser.newContext({ locale: "en-US" });
  const page = await customer.newPage();
  await eventually(
    async () => {
      await page.goto(chatUrl);
      return true;
    },
    () => `the website chat never served its page at ${chatUrl}\n${logs()}`,
  );
  await page.locator("#intro").waitFor();
  await page.locator("#name").fill("Olena");
  await page.locator("#intro button").click();
  await page.locator("#composer").waitFor();
  await page.locator("#text").fill("My parcel 4815 is late.");
  await page.locator("#composer button").click();

  await A.page.getByTestId("tab-unassigned").click();
  const row = A.page.getByTestId("dialog-row").filter({ hasText: "Olena" });
  await eventually(async () => (await row.count()) === 1, () => `the chat never reached the operator\n${logs()}`);
  chatDialog = await row.getAttribute("data-dialog-id");
  await row.click();
  await A.page.getByTestId("action-take").click();
  await A.page.getByTestId("composer-text").fill("It leaves the warehouse today, sorry for the wait!");
  await A.page.getByTestId("composer-send").click();
  await A.page.getByTestId("message").filter({ hasText: "sorry for the wait" }).waitFor();
  await A.page.getByTestId("action-close-rate").click();

  // The customer reads the request as an ordinary message from the line.
  const request = page.locator("#lines li.operator").filter({ hasText: "Please rate our help" });
  await eventually(async () => (await request.count()) === 1, async () => `no rating request; the page shows ${JSON.stringify(await page.locator("#lines li").allTextContents())}\n${logs()}`);
  assert.match(await request.textContent(), /from 1 \(poor\) to 5 \(excellent\)/);
  await A.page.getByTestId("rating-customer-none").filter({ hasText: "waiting for the customer" }).waitFor();

  // Their "5" is the rating: stored, and the dialog stays closed.
  await page.locator("#text").fill("5");
  await page.locator("#composer button").click();
  await eventually(async () => (await server.dialog("taras", chatDialog)).clientRating === 5, () => `the customer's 5 was not stored\n${logs()}`);
  const d = await server.dialog("taras", chatDialog);
  assert.equal(d.status, "closed");
  assert.equal(d.detailed, "closed");
  await eventually(async () => (await A.page.getByTestId("rating-customer").getAttribute("data-value")) === "5", "the conversation shows the customer's 5");
  await A.page.getByTestId("event-line").filter({ hasText: "The customer rated the dialog 5 of 5" }).waitFor();

  // Taras, who handled it, rates the client.
  await A.page.getByTestId("rate-client-4").click();
  await eventually(async () => (await server.dialog("taras", chatDialog)).operatorRating === 4, () => `the operator's rating was not stored\n${logs()}`);
  await customer.close();
  assert.deepEqual(A.problems, []);
});

test("a supervisor rates the dialog with a comment and the ratings show in the console's table", async () => {
  await B.page.getByRole("button", { name: "Sign out" }).click();
  await signIn(B.page, "sofia");
  await B.page.getByTestId("open-console").click();
  const row = B.page.locator(`[data-testid=table-row][data-dialog-id="${chatDialog}"]`);
  await eventually(async () => (await row.count()) === 1, () => `the chat's dialog is not in sofia's table\n${logs()}`);
  await row.click();
  await B.page.getByTestId("conversation").waitFor();
  await B.page.getByTestId("rate-dialog-3").click();
  await B.page.getByTestId("rate-dialog-comment").fill("Polite <b>but</b> slow");
  await B.page.getByTestId("rate-dialog-save").click();
  await eventually(async () => (await server.dialog("sofia", chatDialog)).supervisorRating === 3, () => `the supervisor's rating was not stored\n${logs()}`);
  assert.equal((await server.dialog("sofia", chatDialog)).supervisorComment, "Polite <b>but</b> slow");

  await B.page.getByTestId("open-console").click();
  await B.page.getByTestId("columns-button").click();
  for (const c of ["clientRating", "operatorRating", "supervisorRating", "supervisorComment"]) await B.page.getByTestId(`choose-${c}`).check();
  const cell = (c) => row.locator(`[data-col=${c}]`).textContent();
  await eventually(
    async () => (await cell("clientRating")) === "5" && (await cell("operatorRating")) === "4" && (await cell("supervisorRating")) === "3",
    async () => `the table shows ${await cell("clientRating")}/${await cell("operatorRating")}/${await cell("supervisorRating")}`,
  );
  assert.equal(await cell("supervisorComment"), "Polite <b>but</b> slow");
  assert.equal(await row.locator("[data-col=supervisorComment] b").count(), 0, "the comment is text, not markup");
  assert.deepEqual(B.problems, []);
});
