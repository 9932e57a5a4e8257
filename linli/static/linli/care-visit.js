// The visit form: typing a reading ticks the service it proves was done (a blood pressure
// ticks 量血压, a glucose value 测血糖). Without JavaScript the server refuses a reading
// whose service is not ticked and says so; nothing is ever unticked here.
(function () {
  "use strict";
  var inputs = document.querySelectorAll(".visit-form input[data-service]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("input", function () {
      if (!input.value.trim()) return;
      var box = document.querySelector(
        '.visit-form input[name="services"][value="' + input.getAttribute("data-service") + '"]'
      );
      if (box && !box.checked) {
        box.checked = true;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });
})();
