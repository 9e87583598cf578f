// The task form: show the deadline a task would get. With a number of working days typed, that
// day (the dates come from the server, feedback.calendar, holidays included, in the input's
// data-due-dates); without one, the chosen urgency class's deadline (its option's data-due).
document.querySelectorAll(".task-due-date[data-due-for]").forEach(function (output) {
  var input = document.getElementById(output.dataset.dueFor);
  var urgency = document.getElementById(output.dataset.urgency);
  if (!input) return;
  var dates = JSON.parse(input.dataset.dueDates);
  function show() {
    var days = parseInt(input.value, 10);
    if (input.value.trim() === "" && urgency) {
      var option = urgency.options[urgency.selectedIndex];
      output.textContent = (option && option.dataset.due) || "—";
    } else {
      output.textContent = days >= 1 && days <= dates.length ? dates[days - 1] : "—";
    }
  }
  input.addEventListener("input", show);
  if (urgency) urgency.addEventListener("change", show);
});
