// Search-as-you-type suggestions for the arsearch search box.
// Progressive enhancement: without this file the form still searches. The list is an
// ARIA combobox (arrow keys move, Enter picks, Escape closes); suggestions are set as
// text, never as HTML.
(function () {
  "use strict";

  var DELAY_MS = 150;

  function init(form) {
    var input = form.querySelector("input[name=q]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[role=status]");
    var url = form.getAttribute("data-suggest-url");
    if (!input || !list || !url || !window.fetch) {
      return;
    }
    var timer = 0;
    var pending = null;
    var active = -1;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function announce(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = options();
      if (!items.length) {
        return;
      }
      active = (index + items.length) % items.length;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", items[active].id);
    }

    function pick(text) {
      window.clearTimeout(timer);
      input.value = text;
      close();
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }

    function show(words) {
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!words.length) {
        close();
        return;
      }
      words.forEach(function (word, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = word;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
          pick(word);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      announce(words.length + " اقتراحات متاحة");
    }

    function load() {
      var text = input.value;
      if (!text.trim() || /\s$/.test(text)) {
        close();
        return;
      }
      if (pending) {
        pending.abort();
      }
      pending = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        signal: pending ? pending.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          // A late answer to an older text is dropped.
          if (data && data.query === input.value && Array.isArray(data.suggestions)) {
            show(data.suggestions);
          }
        })
        .catch(function () {
          /* aborted or offline: the box still works without suggestions */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && options().length > 0;
      if (event.key === "ArrowDown" || event.key === "Down") {
        if (open) {
          event.preventDefault();
          highlight(active + 1);
        }
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        if (open) {
          event.preventDefault();
          highlight(active - 1);
        }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          pick(options()[active].textContent);
        }
      } else if (event.key === "Escape" || event.key === "Esc") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", close);
  }

  function start() {
    var forms = document.querySelectorAll("form[data-suggest-url]");
    for (var i = 0; i < forms.length; i++) {
      init(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
