// Small enhancements; every page works without them.
(function () {
  "use strict";

  var narrow = window.matchMedia("(max-width: 899px)");

  // On phones the main navigation folds behind a menu button.
  function setUpNavigation() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (!toggle || !nav) {
      return;
    }
    toggle.hidden = false;
    function apply(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-collapsed", !open && narrow.matches);
    }
    apply(false);
    toggle.addEventListener("click", function () {
      apply(toggle.getAttribute("aria-expanded") !== "true");
    });
    narrow.addEventListener("change", function () {
      apply(false);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        apply(false);
        toggle.focus();
      }
    });
  }

  // The directory's filters start folded on phones so the results come first (unless a
  // filter was just changed: then they stay open where the visitor was).
  function foldFiltersOnPhones(keepOpen) {
    document.querySelectorAll("details[data-collapse-below]").forEach(function (details) {
      var width = parseInt(details.getAttribute("data-collapse-below"), 10) || 900;
      if (window.innerWidth < width && !keepOpen) {
        details.open = false;
      }
    });
  }

  // Filters apply as soon as one changes; the Apply button stays for browsers without scripts.
  // The page comes back scrolled where it was, with the focus on the filter just changed.
  var FILTER_STATE = "filter-change";

  function applyFiltersOnChange() {
    document.querySelectorAll("form.filter-form").forEach(function (form) {
      form.classList.add("applies-on-change");
      form.addEventListener("change", function (event) {
        var control = event.target;
        if (!control.matches("input,select") || !control.name) {
          return;
        }
        try {
          sessionStorage.setItem(
            FILTER_STATE,
            JSON.stringify({
              path: location.pathname,
              name: control.name,
              value: control.type === "checkbox" ? control.value : null,
              y: window.scrollY,
            })
          );
        } catch (error) {
          // Storage may be off; the filter still applies.
        }
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          form.submit();
        }
      });
    });
  }

  function restoreAfterFilterChange() {
    var state = null;
    try {
      state = JSON.parse(sessionStorage.getItem(FILTER_STATE) || "null");
      sessionStorage.removeItem(FILTER_STATE);
    } catch (error) {
      return false;
    }
    if (!state || state.path !== location.pathname) {
      return false;
    }
    var control = Array.prototype.find.call(
      document.querySelectorAll("form.filter-form [name]"),
      function (element) {
        return element.name === state.name && (state.value === null || element.value === state.value);
      }
    );
    window.scrollTo(0, state.y || 0);
    if (control) {
      control.focus({ preventScroll: true });
    }
    return true;
  }

  // Moving focus to <main> after the skip link keeps screen readers and keyboards in step.
  function setUpSkipLink() {
    var link = document.querySelector(".skip-link");
    var main = document.getElementById("main");
    if (link && main) {
      link.addEventListener("click", function () {
        main.focus();
      });
    }
  }

  function start() {
    setUpNavigation();
    var filterChanged = restoreAfterFilterChange();
    foldFiltersOnPhones(filterChanged);
    applyFiltersOnChange();
    setUpSkipLink();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
