// The friendly map (templates/stations/map.html). Everything here is an extra: the list, its
// filters and its pages work without JavaScript. Settings come in data- attributes (the CSP
// allows no inline script).
"use strict";

(function () {
  // "Sort by distance": ask the browser where the visitor is and reload with ?lat=…&lng=…
  // (four decimals, about ten metres), keeping the filters and going back to the first page.
  const sortButton = document.getElementById("sort-by-distance");
  if (sortButton && "geolocation" in navigator) {
    sortButton.hidden = false;
    sortButton.addEventListener("click", function () {
      sortButton.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          const params = new URLSearchParams(window.location.search);
          params.set("lat", position.coords.latitude.toFixed(4));
          params.set("lng", position.coords.longitude.toFixed(4));
          params.delete("page");
          window.location.search = params.toString();
        },
        function () {
          const error = document.getElementById("location-error");
          error.textContent = sortButton.dataset.error;
          error.hidden = false;
          sortButton.disabled = false;
        },
        { timeout: 15000, maximumAge: 300000 },
      );
    });
  }

  const container = document.getElementById("station-map");
  if (!container) {
    return; // no tile URL configured: the page already says the map is unavailable
  }

  function unavailable() {
    container.hidden = true;
    document.getElementById("map-unavailable").hidden = false;
  }

  if (typeof L === "undefined") {
    unavailable();
    return;
  }

  // Coordinates are GCJ-02 and are drawn as given: right on AMap/Tencent tiles, a few hundred
  // metres off on WGS-84 tiles (OpenStreetMap, Tianditu). See MAP_TILE_URL in the README.
  const map = L.map(container, { scrollWheelZoom: false }).setView([35, 105], 4);
  const tiles = L.tileLayer(container.dataset.tiles, {
    attribution: container.dataset.attribution,
    subdomains: container.dataset.subdomains || "abc",
    maxZoom: 18,
  });
  // One failed tile among loaded ones is a hiccup; failures before any tile loads mean the tile
  // server cannot be reached (an intranet, a wrong key): say so, the list stays.
  let loaded = false;
  tiles.on("tileload", function () {
    loaded = true;
  });
  tiles.on("tileerror", function () {
    if (!loaded) {
      unavailable();
    }
  });
  tiles.addTo(map);

  function popup(station) {
    const box = document.createElement("div");
    const name = document.createElement("a");
    name.href = station.url;
    name.className = "fw-semibold";
    name.textContent = station.name;
    box.appendChild(name);
    const status = document.createElement("div");
    status.textContent = station.open_now ? container.dataset.openLabel : container.dataset.closedLabel;
    box.appendChild(status);
    if (station.offer) {
      const offer = document.createElement("div");
      offer.className = "station-offer-text";
      offer.textContent = station.offer;
      box.appendChild(offer);
    }
    return box;
  }

  fetch(container.dataset.markers, { headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.ok ? response.json() : { stations: [] };
    })
    .then(function (data) {
      const points = data.stations.map(function (station) {
        L.marker([station.lat, station.lng], { title: station.name })
          .bindPopup(popup(station))
          .addTo(map);
        return [station.lat, station.lng];
      });
      if (points.length) {
        map.fitBounds(points, { padding: [24, 24], maxZoom: 16 });
      }
    })
    .catch(function () {
      // Markers are an extra too: the list below has every station.
    });
})();
