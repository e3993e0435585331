/* Draw every chart of the page from its Vega-Lite spec (a <script type="application/json">
   data block). Vega runs with its expression interpreter (vega-interpreter), never with
   generated code, so the page's CSP needs no 'unsafe-eval'. Without scripts, or if a chart
   fails, the table beside it stays the way to read the numbers. */
(function () {
  "use strict";
  if (typeof window.vega === "undefined" || typeof window.vegaLite === "undefined" ||
      typeof window.vega.expressionInterpreter === "undefined") {
    return;
  }
  var views = document.querySelectorAll("[data-chart-spec]");
  Array.prototype.forEach.call(views, function (element) {
    var block = document.getElementById(element.getAttribute("data-chart-spec"));
    if (!block) {
      return;
    }
    var spec = JSON.parse(block.textContent);
    var compiled = window.vegaLite.compile(spec).spec;
    var runtime = window.vega.parse(compiled, null, { ast: true });
    var view = new window.vega.View(runtime, {
      expr: window.vega.expressionInterpreter,
      renderer: "svg",
      container: element,
      hover: true
    });
    view.runAsync().then(function () {
      element.setAttribute("data-chart-drawn", "true");
    }).catch(function (error) {
      element.setAttribute("data-chart-error", String(error));
    });
  });
}());
