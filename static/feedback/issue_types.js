// The suggestion form's issue types: the CSS shows only the chosen category's kinds. A kind that
// a change of category hides is unchosen here, so it does not carry its own category with it.
(function () {
  "use strict";
  var none = document.querySelector('input[name="issue_type"][value=""]');
  if (!none) {
    return;
  }
  document.querySelectorAll('input[name="category"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      var kind = document.querySelector('input[name="issue_type"]:checked');
      var group = kind && kind.closest(".issue-type-group");
      if (group && group.dataset.category !== radio.value) {
        none.checked = true;
      }
    });
  });
})();
