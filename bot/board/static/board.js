// The order board's only script: fetch server-rendered fragments with Telegram's signed
// initData, put them in place, and send status changes as JSON. No build step, no framework.
(function () {
  "use strict";
  var tg = (window.Telegram && window.Telegram.WebApp) || null;
  var main = document.getElementById("main");
  var initData = (tg && tg.initData) || "";
  var user = tg && tg.initDataUnsafe && tg.initDataUnsafe.user;
  var lang = (user && user.language_code) || "";
  var current = "view/board";
  var THEME = {
    bg_color: "--bg", text_color: "--text", hint_color: "--hint", link_color: "--link",
    button_color: "--button", button_text_color: "--button-text",
    secondary_bg_color: "--bg2", destructive_text_color: "--danger",
    section_separator_color: "--sep"
  };

  function theme() {
    var params = (tg && tg.themeParams) || {};
    var root = document.documentElement;
    Object.keys(THEME).forEach(function (key) {
      if (params[key]) root.style.setProperty(THEME[key], params[key]);
    });
    if (tg && tg.colorScheme) root.setAttribute("data-scheme", tg.colorScheme);
  }

  function call(method, url, body) {
    var sep = url.indexOf("?") < 0 ? "?" : "&";
    return fetch(url + sep + "lang=" + encodeURIComponent(lang), {
      method: method,
      headers: { "Authorization": "tma " + initData, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  }

  function show(url, flash) {
    return call("GET", url).then(function (response) {
      return response.text().then(function (html) {
        main.innerHTML = html;
        current = url;
        main.setAttribute("data-view", url.split("?")[0]);
        var note = main.querySelector(".flash");
        if (flash && note) { note.textContent = flash; note.hidden = false; }
        if (tg && tg.BackButton) {
          if (url.indexOf("view/orders/") === 0) tg.BackButton.show(); else tg.BackButton.hide();
        }
        window.scrollTo(0, 0);
      });
    }).catch(function () {
      main.innerHTML = '<section class="error-page" role="alert"><h1>⚠</h1></section>';
    });
  }

  function changeStatus(form) {
    var data = { status: form.getAttribute("data-status") };
    ["comment", "tracking_number", "resolution"].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value) data[name] = field.value;
    });
    var error = form.querySelector(".error");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    var number = form.getAttribute("data-number");
    return call("POST", "api/orders/" + encodeURIComponent(number) + "/status", data)
      .then(function (response) {
        return response.json().then(function (answer) {
          if (response.status === 202) {
            return show("view/orders/" + encodeURIComponent(number), "⏳ " + answer.status);
          }
          button.disabled = false;
          error.textContent = answer.detail || answer.title || String(response.status);
          error.hidden = false;
        });
      });
  }

  function readLabel(input) {
    var form = input.form;
    var note = form.querySelector(".label-note");
    var file = input.files && input.files[0];
    if (!file) return;
    note.textContent = "…";
    note.hidden = false;
    var number = form.getAttribute("data-number");
    var sep = "?lang=" + encodeURIComponent(lang);
    fetch("api/orders/" + encodeURIComponent(number) + "/label" + sep, {
      method: "POST",
      headers: { "Authorization": "tma " + initData, "Content-Type": file.type || "image/jpeg" },
      body: file
    }).then(function (response) { return response.json(); }).then(function (answer) {
      if (answer.tracking_number) form.elements.tracking_number.value = answer.tracking_number;
      note.textContent = answer.detail || answer.title || "";
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "label") readLabel(event.target);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-view]");
    if (!link) return;
    event.preventDefault();
    show(link.getAttribute("href"));
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    event.preventDefault();
    if (form.hasAttribute("data-search")) {
      var q = form.elements.q.value.trim();
      show("view/board" + (q ? "?q=" + encodeURIComponent(q) : ""));
    } else if (form.hasAttribute("data-status")) {
      changeStatus(form);
    }
  });

  if (tg) {
    theme();
    if (tg.onEvent) tg.onEvent("themeChanged", theme);
    if (tg.BackButton && tg.BackButton.onClick) {
      tg.BackButton.onClick(function () { show("view/board"); });
    }
    if (tg.ready) tg.ready();
    if (tg.expand) tg.expand();
  }
  show(current);
})();
