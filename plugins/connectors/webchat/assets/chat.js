// The website chat page. Every piece of text from visitors and operators is
// put on the page with textContent, never as HTML.
(function () {
  "use strict";
  var texts = {
    en: { name: "Your name", email: "E-mail (optional)", start: "Start chat", send: "Send",
          offline: "Reconnecting…", failed: "Not sent, try again", operator: "Operator", you: "You" },
    ru: { name: "Ваше имя", email: "E-mail (необязательно)", start: "Начать чат", send: "Отправить",
          offline: "Переподключение…", failed: "Не отправлено, попробуйте ещё раз", operator: "Оператор", you: "Вы" },
    uk: { name: "Ваше ім'я", email: "E-mail (необов'язково)", start: "Почати чат", send: "Надіслати",
          offline: "Перепідключення…", failed: "Не надіслано, спробуйте ще раз", operator: "Оператор", you: "Ви" }
  };
  var lang = (navigator.language || "en").slice(0, 2);
  var t = texts[lang] || texts.en;
  var $ = function (id) { return document.getElementById(id); };
  document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = t[el.dataset.t]; });
  $("text").placeholder = "…";

  var seen = {};
  function show(line) {
    if (seen[line.id]) return;
    seen[line.id] = true;
    var li = document.createElement("li");
    li.className = line.from;
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = line.from === "visitor" ? t.you : (line.name || t.operator);
    var body = document.createElement("span");
    body.textContent = line.text;
    li.appendChild(who);
    li.appendChild(body);
    $("lines").appendChild(li);
    $("lines").scrollTop = $("lines").scrollHeight;
  }

  function api(method, path, body) {
    return fetch(path, { method: method, credentials: "same-origin",
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); });
  }

  var ws, delay = 500;
  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(proto + "//" + location.host + "/api/ws");
    ws.onopen = function () { delay = 500; $("status").textContent = ""; reload(); };
    ws.onmessage = function (e) {
      var m = JSON.parse(e.data);
      if ((m.type === "message" || m.type === "sent") && m.line) show(m.line);
      if (m.type === "error") $("status").textContent = t.failed;
    };
    ws.onclose = function () {
      $("status").textContent = t.offline;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }

  function reload() {
    return api("GET", "/api/history").then(function (h) {
      h.lines.forEach(show);
      var known = !!h.name;
      $("intro").hidden = known;
      $("composer").hidden = !known;
    });
  }

  $("intro").addEventListener("submit", function (e) {
    e.preventDefault();
    api("POST", "/api/session", { name: $("name").value, email: $("email").value }).then(function () {
      $("intro").hidden = true;
      $("composer").hidden = false;
      $("text").focus();
    }).catch(function () { $("status").textContent = t.failed; });
  });

  $("composer").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("text").value.trim();
    if (!text) return;
    if (ws && ws.readyState === 1) {
      ws.send(JSON.stringify({ type: "message", text: text }));
      $("text").value = "";
    } else {
      api("POST", "/api/messages", { text: text }).then(function (l) { show(l); $("text").value = ""; })
        .catch(function () { $("status").textContent = t.failed; });
    }
  });
  $("text").addEventListener("input", function () {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: "typing" }));
  });
  $("text").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("composer").requestSubmit(); }
  });

  api("GET", "/api/config").then(function (c) { $("title").textContent = c.title; document.title = c.title; });
  reload().then(connect, connect);
})();
