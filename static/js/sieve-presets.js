// Sieve preset picker: inserts the chosen ready-made script into the editor at the cursor.
(function () {
  "use strict";

  function insert(picker) {
    var select = picker.querySelector("[data-preset-select]");
    var editor = document.getElementById(picker.dataset.presetTarget);
    if (!select || !editor || !select.value) return;
    var template = picker.querySelector('template[data-preset="' + select.value + '"]');
    if (!template) return;
    var text = template.content ? template.content.textContent : template.textContent;
    var start = editor.selectionStart || 0;
    var end = editor.selectionEnd || 0;
    var before = editor.value.slice(0, start);
    // Keep the preset on lines of its own.
    if (before && !before.endsWith("\n")) text = "\n" + text;
    editor.value = before + text + editor.value.slice(end);
    editor.focus();
    editor.selectionStart = editor.selectionEnd = start + text.length;
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-preset-insert]");
    if (!button) return;
    event.preventDefault();
    insert(button.closest(".preset-picker"));
  });
})();
