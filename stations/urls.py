app_name = "stations"

# Each part of the app adds its own lines: staff pages (views/staff.py), the public landing page and
# check-in (views/landing.py), the friendly map (views/map.py).
urlpatterns: list = []
