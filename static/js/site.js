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

  // The directory's filters start folded on phones so the results come first.
  function foldFiltersOnPhones() {
    document.querySelectorAll("details[data-collapse-below]").forEach(function (details) {
      var width = parseInt(details.getAttribute("data-collapse-below"), 10) || 900;
      if (window.innerWidth < width) {
        details.open = false;
      }
    });
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
    foldFiltersOnPhones();
    setUpSkipLink();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
