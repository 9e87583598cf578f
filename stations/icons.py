"""Line icons for amenities, 24 × 24, drawn with the text colour (rider.css `.ic`): one short
SVG path each, inlined beside its word, so the landing page needs no image request."""

from stations.models import Amenity

AMENITY_ICONS = {
    Amenity.DRINKING_WATER: "M12 3c4 5 6 8 6 11a6 6 0 0 1-12 0c0-3 2-6 6-11z",
    Amenity.PHONE_CHARGING: "M7 2h10v20H7zM13 6l-3 5h4l-3 5",
    Amenity.MICROWAVE: "M2 5h20v14H2zM5 8h10v8H5zM18 9v1M18 13v1",
    Amenity.FRIDGE: "M6 2h12v20H6zM6 10h12M9 5v2M9 13v3",
    Amenity.TOILET: "M7 3h10v5H7zM4 10h16a8 8 0 0 1-16 0zM9 17l-1 4h8l-1-4",
    Amenity.SEATS: "M7 3v10h10M7 13v8M17 13v8M7 9h8",
    Amenity.AIR_CONDITIONING: "M12 2v20M3.3 7l17.4 10M3.3 17l17.4-10",
    Amenity.MEDICINE_KIT: "M3 7h18v13H3zM9 7V4h6v3M12 10v7M8.5 13.5h7",
    Amenity.UMBRELLA: "M12 3a9 9 0 0 1 9 9H3a9 9 0 0 1 9-9zM12 12v7a2 2 0 0 0 4 0",
    Amenity.WIFI: "M2 9a15 15 0 0 1 20 0M5 13a10 10 0 0 1 14 0M8.5 16.5a5 5 0 0 1 7 0M12 20v1",
    Amenity.BATTERY_SWAP: "M3 7h16v10H3zM21 10v4M12 8l-2 4h4l-2 4",
    Amenity.REPAIR_TOOLS: "M15 3a5 5 0 0 0-5 7l-7 7 4 4 7-7a5 5 0 0 0 7-5l-3 3-3-1-1-3z",
}
