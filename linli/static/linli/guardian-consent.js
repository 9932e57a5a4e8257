// Show the guardian's consent fields on the register form only for a child under 14.
// Without JavaScript the fields are always shown (and the server decides).
(function () {
  "use strict";
  var birth = document.getElementById("id_birth_date");
  var fieldset = document.getElementById("guardian-consent");
  if (!birth || !fieldset) return;

  function isChild(value) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!parts) return true;
    var today = new Date();
    var age = today.getFullYear() - Number(parts[1]);
    var month = today.getMonth() + 1;
    if (month < Number(parts[2]) || (month === Number(parts[2]) && today.getDate() < Number(parts[3]))) {
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
