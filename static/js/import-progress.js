// Runs an import chunk by chunk, showing progress; without it, each click writes one chunk.
(function () {
  "use strict";

  var form = document.querySelector("[data-import-run]");
  var panel = document.querySelector("[data-import-progress]");
  if (!form || !panel || !window.fetch) {
    return;
  }
  var bar = panel.querySelector("progress");
  var button = form.querySelector("button[type=submit]");

  function show(state) {
    panel.hidden = false;
    bar.max = state.total;
    bar.value = state.done;
    bar.textContent = state.percent + "%";
    ["done", "created", "updated", "unchanged"].forEach(function (name) {
      var field = panel.querySelector("[data-field=" + name + "]");
      if (field) {
        field.textContent = state[name];
      }
    });
  }

  function step(body) {
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    }).then(function (state) {
      show(state);
      if (state.finished || state.errors.length) {
        window.location.reload();
        return null;
      }
      return step(body);
    });
  }

  form.addEventListener("submit", function (event) {
    var confirmBox = form.querySelector("input[type=checkbox][name=confirm_duplicate]");
    if (confirmBox && !confirmBox.checked) {
      return; // the server explains what to tick
    }
    event.preventDefault();
    button.disabled = true;
    // The page writes the busy label in its own language: <button data-busy-label="...">.
    if (button.dataset.busyLabel) {
      button.textContent = button.dataset.busyLabel;
    }
    step(new FormData(form)).catch(function () {
      // Reloading shows what was written so far and a button to continue.
      window.location.reload();
    });
  });
})();
