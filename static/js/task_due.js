// The task form: show the due date for the number of working days typed. The dates come from
// the server (feedback.calendar, holidays included) in the input's data-due-dates.
document.querySelectorAll(".task-due-date[data-due-for]").forEach(function (output) {
  var input = document.getElementById(output.dataset.dueFor);
  if (!input) return;
  var dates = JSON.parse(input.dataset.dueDates);
  input.addEventListener("input", function () {
    var days = parseInt(input.value, 10);
    output.textContent = days >= 1 && days <= dates.length ? dates[days - 1] : "—";
  });
});
