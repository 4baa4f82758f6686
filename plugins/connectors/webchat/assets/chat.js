// The website chat page. Every piece of text from visitors and operators is
// put on the page with textContent, never as HTML.
(function () {
  "use strict";
  var texts = {
    en: { name: "Your name", email: "E-mail (optional)", start: "Start chat", send: "Send",
          offline: "Reconnecting…", failed: "Not sent, try again", operator: "Operator", you: "You",
          edited: "edited", deleted: "Message deleted", attach: "Attach files", tooLarge: "A file is larger than 10 MB",
          typing: "{name} is typing…", read: "Read" },
    ru: { name: "Ваше имя", email: "E-mail (необязательно)", start: "Начать чат", send: "Отправить",
          offline: "Переподключение…", failed: "Не отправлено, попробуйте ещё раз", operator: "Оператор", you: "Вы",
          edited: "изменено", deleted: "Сообщение удалено", attach: "Прикрепить файлы", tooLarge: "Файл больше 10 МБ",
          typing: "{name} печатает…", read: "Прочитано" },
    uk: { name: "Ваше ім'я", email: "E-mail (необов'язково)", start: "Почати чат", send: "Надіслати",
          offline: "Перепідключення…", failed: "Не надіслано, спробуйте ще раз", operator: "Оператор", you: "Ви",
          edited: "змінено", deleted: "Повідомлення видалено", attach: "Прикріпити файли", tooLarge: "Файл більший за 10 МБ",
          typing: "{name} друкує…", read: "Прочитано" }
  };
  var lang = (navigator.language || "en").slice(0, 2);
  var t = texts[lang] || texts.en;
  var $ = function (id) { return document.getElementById(id); };
  document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = t[el.dataset.t]; });
  $("text").placeholder = "…";

  // The page's item and data of each line by id: an edit, a delete or a
  // read receipt redraws it.
  var items = {}, data = {};
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function show(line) {
    var li = items[line.id];
    var fresh = !li;
    data[line.id] = line;
    if (fresh) {
      li = items[line.id] = el("li");
      li.dataset.id = line.id;
    }
    li.className = line.from + (line.deleted ? " deleted" : "");
    li.replaceChildren();
    li.appendChild(el("span", "who", line.from === "visitor" ? t.you : (line.name || t.operator)));
    if (line.replyTo && !line.deleted) {
      var q = el("span", "quote", line.replyTo.text);
      q.dataset.replyTo = line.replyTo.id;
      li.appendChild(q);
    }
    li.appendChild(el("span", "body", line.deleted ? t.deleted : line.text));
    if (line.edited && !line.deleted) li.appendChild(el("span", "edited", t.edited));
    if (line.files && line.files.length && !line.deleted) li.appendChild(files(line.files));
    if (line.from === "visitor" && line.read) li.appendChild(el("span", "read", t.read));
    if (fresh) {
      $("lines").appendChild(li);
      $("lines").scrollTop = $("lines").scrollHeight;
    }
  }

  // Images show in place; anything else is a link named by the file,
  // whose name is text (textContent, the download attribute), never markup.
  var inline = { "image/png": 1, "image/jpeg": 1, "image/gif": 1, "image/webp": 1 };
  function files(list) {
    var box = document.createElement("span");
    box.className = "files";
    list.forEach(function (f) {
      var url = "/api/files/" + encodeURIComponent(f.id);
      if (inline[f.type]) {
        var img = document.createElement("img");
        img.src = url;
        img.alt = f.name;
        img.dataset.file = f.id;
        box.appendChild(img);
      }
      var a = document.createElement("a");
      a.href = url;
      a.download = f.name;
      a.dataset.file = f.id;
      a.textContent = f.name + " (" + Math.max(1, Math.round(f.size / 1024)) + " KB)";
      box.appendChild(a);
    });
    return box;
  }

  // The team typing a reply: "<name> is typing…" (the name is text, set
  // with textContent), fading a few seconds after the last word of it.
  var typingTimer, typingFade;
  function typing(name) {
    var p = $("typing");
    p.textContent = t.typing.replace("{name}", function () { return name || t.operator; });
    p.hidden = false;
    p.classList.add("on");
    clearTimeout(typingTimer);
    clearTimeout(typingFade);
    typingTimer = setTimeout(stopTyping, 6000);
  }
  function stopTyping() {
    var p = $("typing");
    clearTimeout(typingTimer);
    p.classList.remove("on");
    typingFade = setTimeout(function () { p.hidden = true; p.textContent = ""; }, 400);
  }

  // The team read the visitor's lines up to upTo, in the page's order.
  function read(upTo) {
    var lis = $("lines").children;
    for (var i = 0; i < lis.length; i++) {
      var line = data[lis[i].dataset.id];
      if (line && line.from === "visitor" && !line.read) {
        line.read = true;
        show(line);
      }
      if (lis[i].dataset.id === upTo) break;
    }
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
      if ((m.type === "message" || m.type === "sent" || m.type === "edit" || m.type === "delete") && m.line) show(m.line);
      if (m.type === "message") stopTyping();
      if (m.type === "typing") typing(m.name);
      if (m.type === "read" && m.upTo) read(m.upTo);
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

  $("attach").title = t.attach;
  $("file").addEventListener("change", function () {
    var names = Array.prototype.map.call($("file").files, function (f) { return f.name; });
    $("picked").textContent = names.join(", ");
    $("picked").hidden = names.length === 0;
  });

  // Files go in one multipart request with the text beside them.
  function upload(text) {
    var picked = $("file").files;
    for (var i = 0; i < picked.length; i++) {
      if (picked[i].size > 10 * 1024 * 1024) { $("status").textContent = t.tooLarge; return; }
    }
    var form = new FormData();
    form.append("text", text);
    for (var j = 0; j < picked.length; j++) form.append("file", picked[j], picked[j].name);
    fetch("/api/files", { method: "POST", credentials: "same-origin", body: form })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); })
      .then(function (l) {
        show(l);
        $("text").value = "";
        $("file").value = "";
        $("picked").hidden = true;
        $("status").textContent = "";
      })
      .catch(function () { $("status").textContent = t.failed; });
  }

  $("composer").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("text").value.trim();
    if ($("file").files.length > 0) { upload(text); return; }
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
