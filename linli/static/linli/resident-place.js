// On the register form, ask where the person belongs only when 「暂不登记住户」 is chosen.
// Without JavaScript the field is always shown (and the server decides).
(function () {
  "use strict";
  var household = document.getElementById("id_household");
  var place = document.getElementById("resident-place");
  if (!household || !place) return;

  function update() {
    var hasErrors = place.querySelector(".has-error") !== null;
    place.hidden = !hasErrors && household.value !== "";
  }

  household.addEventListener("change", update);
  update();
})();
