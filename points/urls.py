from django.urls import path

from points.views import card, me, sign_in

app_name = "points"

urlpatterns = [
    # Riders: sign-in by texted code, their page and their work card.
    path("me/sign-in/", sign_in.sign_in, name="sign_in"),
    path("me/sign-in/code/", sign_in.sign_in_code, name="sign_in_code"),
    path("me/sign-out/", sign_in.sign_out, name="sign_out"),
    path("me/", me.me, name="me"),
    path("me/card/", card.card, name="card"),
    # Public: a station or merchant scans the card's QR code.
    path("card/<str:token>/", card.verify, name="verify"),
]
