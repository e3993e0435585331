/* The SPARQL page, enhanced: CodeMirror over the textarea, examples loaded in place,
   Ctrl/Cmd-Enter to run. Without this script the page works as a plain form. */
(function () {
  "use strict";
  var textarea = document.getElementById("query");
  if (!textarea || typeof window.CodeMirror === "undefined") {
    return;
  }
  var form = textarea.form;
  var run = function () {
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  };
  var editor = window.CodeMirror.fromTextArea(textarea, {
    mode: "application/sparql-query",
    lineNumbers: true,
    indentUnit: 2,
    tabSize: 2,
    viewportMargin: Infinity,
    screenReaderLabel: "SPARQL query",
    /* Tab and Shift-Tab are not the editor's: they move the focus, so the keyboard never
       gets stuck in it (indent with Ctrl-] and Ctrl-[ instead). */
    extraKeys: { "Ctrl-Enter": run, "Cmd-Enter": run, "Tab": false, "Shift-Tab": false }
  });
  editor.getWrapperElement().setAttribute("aria-label", "SPARQL query editor");
  editor.getInputField().setAttribute("aria-describedby", "editor-keys");

  var examples = document.querySelectorAll("a.example[data-query]");
  Array.prototype.forEach.call(examples, function (link) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return; /* let the browser open the link as asked */
      }
      event.preventDefault();
      editor.setValue(link.getAttribute("data-query"));
      editor.focus();
      editor.setCursor(editor.lineCount(), 0);
      Array.prototype.forEach.call(examples, function (other) {
        other.removeAttribute("aria-current");
      });
      link.setAttribute("aria-current", "true");
    });
  });

  var share = document.getElementById("share-url");
  if (share) {
    share.addEventListener("focus", function () { share.select(); });
  }
}());
