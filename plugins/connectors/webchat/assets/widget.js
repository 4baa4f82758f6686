// One script tag puts the chat on a site:
//   <script src="https://chat.example.com/widget.js" async></script>
// It adds a button that opens the chat page in a frame served by the chat
// endpoint itself, so the site's page never handles chat text.
(function () {
  "use strict";
  var me = document.currentScript;
  var base = new URL(".", me ? me.src : location.href).href;
  var frame, button = document.createElement("button");
  button.type = "button";
  button.setAttribute("aria-label", "Chat");
  button.textContent = "💬";
  button.style.cssText = "position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;" +
    "border:0;background:#2d5be3;color:#fff;font-size:24px;cursor:pointer;z-index:2147483646";
  button.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.src = base;
      frame.title = "Chat";
      frame.style.cssText = "position:fixed;right:20px;bottom:88px;width:360px;height:520px;max-height:80vh;" +
        "border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);z-index:2147483647";
      document.body.appendChild(frame);
      return;
    }
    frame.hidden = !frame.hidden;
  });
  document.body.appendChild(button);
})();
