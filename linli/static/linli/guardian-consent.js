// Show the guardian's consent fields on the register form only for a child under 14.
// Without JavaScript the fields are always shown (and the server decides).
(function () {
  "use strict";
  var birth = document.getElementById("id_birth_date");
  var fieldset = document.getElementById("guardian-consent");
  if (!birth || !fieldset) return;

  var DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

  // Today as the server counts it (Beijing time, the day the server will judge the age
  // by), not the phone's own clock, which may be wrong or in another zone.
  function today() {
    var given = DATE.exec(fieldset.getAttribute("data-today") || "");
    if (given) return [Number(given[1]), Number(given[2]), Number(given[3])];
    var now = new Date();
    return [now.getFullYear(), now.getMonth() + 1, now.getDate()];
  }

  function isChild(value) {
    var parts = DATE.exec(value);
    if (!parts) return true;
    var t = today();
    var age = t[0] - Number(parts[1]);
    if (t[1] < Number(parts[2]) || (t[1] === Number(parts[2]) && t[2] < Number(parts[3]))) {
      age -= 1;
    }
    return age < 14;
  }

  function update() {
    var hasErrors = fieldset.querySelector(".has-error") !== null;
    fieldset.hidden = !hasErrors && birth.value !== "" && !isChild(birth.value);
  }

  birth.addEventListener("change", update);
  birth.addEventListener("input", update);
  update();
})();
