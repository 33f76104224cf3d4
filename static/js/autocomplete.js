// Autocomplete for the header search box: organisation names as you type.
// Keyboard: Down/Up move through the suggestions, Enter opens one, Escape closes the list.
// Words people read come from the page (data-suggest-label), never from this file.
(function () {
  "use strict";

  var input = document.getElementById("site-search");
  if (!input || !input.dataset.suggestUrl || !window.fetch) {
    return;
  }
  var form = input.form;
  var list = document.createElement("ul");
  list.id = "site-search-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  // The page writes the list's name in its own language.
  if (input.dataset.suggestLabel) {
    list.setAttribute("aria-label", input.dataset.suggestLabel);
  }
  list.hidden = true;
  (form || input.parentNode).appendChild(list);
  if (form) {
    form.classList.add("has-suggestions");
  }

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  var items = [];
  var active = -1;
  var timer = null;
  var latest = 0;

  function close() {
    list.hidden = true;
    list.textContent = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var options = list.children;
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render(found) {
    list.textContent = "";
    items = found;
    active = -1;
    if (!found.length) {
      close();
      return;
    }
    found.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = list.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = item.name;
      option.addEventListener("mousedown", function (event) {
        // mousedown, not click: the input's blur would close the list first.
        event.preventDefault();
        window.location.href = item.url;
      });
      list.appendChild(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function lookUp() {
    var text = input.value.trim();
    if (text.length < 2) {
      close();
      return;
    }
    var ticket = ++latest;
    var url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .then(function (found) {
        // Answers can arrive out of order; only the newest counts.
        if (ticket === latest) {
          render(Array.isArray(found) ? found : []);
        }
      })
      .catch(close);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = items[active].url;
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", function () {
    window.setTimeout(close, 100);
  });
})();
