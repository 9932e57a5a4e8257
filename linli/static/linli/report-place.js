// The resident's report: propose the place from what they write (「楼道」 → the unit's
// common area, 「小区门口」 → the compound), until they pick one themselves. The words
// come from the server (requests.selectors.PLACE_HINTS), which proposes the same way.
(function () {
  "use strict";
  var hintsNode = document.getElementById("place-hints");
  var text = document.getElementById("id_text");
  var box = document.getElementById("report-place");
  if (!hintsNode || !text || !box) return;
  var hints = JSON.parse(hintsNode.textContent || "{}");
  var picked = false;

  function radio(key) {
    return box.querySelector('input[type="radio"][value="' + key + '"]');
  }

  function propose() {
    if (picked) return;
    var value = text.value;
    var keys = Object.keys(hints);
    for (var i = 0; i < keys.length; i++) {
      var words = hints[keys[i]];
      for (var j = 0; j < words.length; j++) {
        if (value.indexOf(words[j]) !== -1) {
          var input = radio(keys[i]);
          if (input) {
            input.checked = true;
            return;
          }
        }
      }
    }
  }

  box.addEventListener("change", function (event) {
    if (event.target && event.target.type === "radio") picked = true;
  });
  text.addEventListener("input", propose);
  propose();
})();
