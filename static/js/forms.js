// Organisation forms (staff and public): show only the fieldsets of the chosen kind.
// Without this script every fieldset stays visible, and hidden ones are still submitted,
// so switching the kind back and forth never loses what was typed.
(function () {
  "use strict";

  function showFieldsetsFor(kind) {
    document.querySelectorAll("fieldset[data-kind]").forEach(function (fieldset) {
      // A section with an error stays in view whatever the kind, so no problem is hidden.
      var wanted = kind && fieldset.dataset.kind === kind;
      fieldset.hidden = !wanted && !fieldset.querySelector(".has-error");
    });
  }

  function init() {
    var select = document.querySelector(".org-form select[name='kind']");
    if (!select) {
      return;
    }
    showFieldsetsFor(select.value);
    select.addEventListener("change", function () {
      showFieldsetsFor(select.value);
    });

    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
