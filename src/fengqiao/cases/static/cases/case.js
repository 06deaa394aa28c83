/*
 * The case page. Actions are htmx forms that swap #case-main; this file keeps the keyboard
 * where the user is: an opened action form focuses its first field, and after a swap the focus
 * goes to the first field with an error, or to the confirmation message.
 */
(function () {
  "use strict";

  function firstField(root) {
    return root.querySelector("textarea, input:not([type=hidden]), select");
  }

  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open) {
      return;
    }
    if (details.classList.contains("action")) {
      // One lifecycle form open at a time.
      document.querySelectorAll("details.action[open]").forEach(function (other) {
        if (other !== details) {
          other.open = false;
        }
      });
    }
    var field = firstField(details);
    if (field && details.closest("#case-main")) {
      field.focus();
    }
  }, true);

  document.addEventListener("htmx:afterSettle", function (event) {
    var main = document.getElementById("case-main");
    var target = event.detail.target;
    if (!main || !target || target.id !== "case-main") {
      return;
    }
    // Page-level messages (e.g. "registered") describe the page as it was first loaded; once an
    // action has replaced the case body they would sit above its own message and mislead.
    document.querySelectorAll("body > * .messages").forEach(function (list) {
      if (!main.contains(list)) {
        list.remove();
      }
    });
    var invalid = main.querySelector("[aria-invalid='true']");
    if (invalid) {
      invalid.focus();
      return;
    }
    var alert = main.querySelector(".alert-error");
    var message = alert || main.querySelector(".messages");
    if (message) {
      message.setAttribute("tabindex", "-1");
      message.focus({ preventScroll: !alert });
    }
  });
})();
