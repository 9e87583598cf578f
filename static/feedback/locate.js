// The suggestion form's "Add my location": fills the hidden latitude and longitude from the
// phone's position when the rider taps it. The button stays hidden where there is no geolocation.
(function () {
  "use strict";
  var button = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  if (!button || !latitude || !longitude || !("geolocation" in navigator)) {
    return;
  }
  button.hidden = false;
  if (latitude.value && longitude.value) {
    status.textContent = button.dataset.found;
  }
  button.addEventListener("click", function () {
    status.textContent = button.dataset.finding;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        latitude.value = position.coords.latitude.toFixed(6);
        longitude.value = position.coords.longitude.toFixed(6);
        status.textContent = button.dataset.found;
        button.disabled = false;
      },
      function () {
        status.textContent = button.dataset.failed;
        button.disabled = false;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
})();
