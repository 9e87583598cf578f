"""积分超市 redemptions under load: 20 riders redeeming at once, beside the bare Django view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_benchredeem \\
    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python -m bench.redeem

Migrates and seeds as bench/landing.py does (the demo city), gives 20 of one community's demo
riders 1,000,000 points each through the ledger (`points.services.ledger.award`) and the
community a reward with a stock of 1,000,000, signs each rider in
(`registry.services.riders.sign_in`, a session in the database as the sign-in page makes it),
and starts the real web server (bin/start-web: gunicorn, production settings) with the bare view
beside the portal (bench/urls.py).

The clients are 20 threads of this process, each one rider on its own keep-alive connection,
posting the confirmation page's form (`points:redeem`, with the CSRF token and each time a fresh
one-time key, as a new confirmation page would give) over and over, and finishing the post in
flight when the round ends, so every answer is counted: a redirect to the pickup code is a
redemption, a redirect back to the shop a refusal, anything else an error. The bare view is
fetched by the same 20 threads in alternating rounds of equal length, so the client's own cost and
the machine's noise fall on both alike. Afterwards the database must agree with the answers: one
Redemption row per redemption answered, the reward's stock and each rider's balance down by as
much, `verify_points` clean, no balance or stock below zero. It prints Markdown tables for
docs/BENCHMARKS.md.
"""

import argparse
import http.client
import os
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import date
from urllib.parse import urlencode
from uuid import uuid4

from bench.landing import seed
from bench.roster import BARE, SERVER_ENVIRONMENT, machine, web_server
from bench.suggestion import csrf_token

COMMUNITY = "411402001001"
REWARD = "基准测试矿泉水"
PRICE = 10
STOCK = 1_000_000
POINTS = 1_000_000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each request")
    parser.add_argument("--seconds", type=int, default=5, help="length of one round")
    parser.add_argument("--clients", type=int, default=20, help="riders posting at once")
    parser.add_argument("--port", type=int, default=8115)
    args = parser.parse_args()

    os.environ.update(SERVER_ENVIRONMENT)
    import django

    django.setup()
    from django.urls import reverse

    seed()
    reward, riders = stock_up(args.clients)
    before = snapshot(reward, riders)
    with web_server(args.port) as server:
        token = csrf_token(server.port, reverse("registry:sign_in"))

        def confirmation():
            return urlencode({"csrfmiddlewaretoken": token, "reward": reward.pk, "nonce": uuid4()})

        posts = [
            (
                "POST",
                reverse("points:redeem"),
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={token}; {session_cookie(rider)}",
                },
                confirmation,
            )
            for rider in riders
        ]
        bare = [("GET", BARE, {}, None)] * args.clients
        rounds = {BARE: [], "redeem": []}
        for _ in range(args.rounds):
            rounds[BARE].append(drive(server.port, bare, args.seconds))
            rounds["redeem"].append(drive(server.port, posts, args.seconds))
    checks = check(reward, riders, before, rounds["redeem"])
    print(report(args, rounds, checks))
    if not all(held for _, held in checks):
        sys.exit("The database does not match the answers: see the ✗ above.")


def stock_up(clients: int):
    """The reward, with its stock back at STOCK, and `clients` riders of its community with
    POINTS each, topped up through the ledger (a second run finds them spent)."""
    from points.models import EntryKind, Reward
    from points.services.ledger import award, balance
    from points.services.rewards import change_stock
    from portal.models import Area
    from registry.models import Worker

    community = Area.objects.get(code=COMMUNITY)
    reward, _ = Reward.objects.get_or_create(
        area=community, name=REWARD, defaults={"price": PRICE, "stock": STOCK}
    )
    change_stock(reward, STOCK - reward.stock)
    riders = list(Worker.objects.consenting().filter(area=community).order_by("id")[:clients])
    if len(riders) < clients:
        sys.exit(f"Only {len(riders)} riders in {community}: seed_demo makes 40.")
    for rider in riders:
        if top_up := POINTS - balance(rider):
            award(rider, top_up, EntryKind.ADJUSTMENT, note="bench/redeem.py")
    return reward, riders


def session_cookie(worker) -> str:
    """The session the sign-in page would give the rider, as a Cookie header's pair."""
    from importlib import import_module

    from django.conf import settings
    from django.test import RequestFactory

    from registry.services.riders import sign_in

    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    sign_in(request, worker)
    request.session.save()
    return f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}"


def drive(port: int, requests: list, seconds: int) -> dict:
    """One round: a thread per request, each sending its request over and over on one keep-alive
    connection until the round's time is up and its last answer is in (a body that is a function
    is called for each sending). Returns the answers per thread (redeemed / refused / ok /
    error) and the rate of all answers over the round."""
    deadline = time.perf_counter() + seconds
    answers = [Counter() for _ in requests]

    def client(request, counts):
        method, path, headers, body = request
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            try:
                payload = body() if callable(body) else body
                connection.request(method, path, body=payload, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                counts["error"] += 1
                connection.close()
                continue
            counts[answer(response)] += 1
        connection.close()

    started = time.perf_counter()
    threads = [
        threading.Thread(target=client, args=(request, counts))
        for request, counts in zip(requests, answers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = sum(answers, Counter())
    return {"per_client": answers, "total": total, "rate": total.total() / elapsed}


def answer(response) -> str:
    location = response.getheader("Location") or ""
    if response.status == 302:
        return "redeemed" if "/shop/redeemed/" in location else "refused"
    return "ok" if response.status == 200 else "error"


def snapshot(reward, riders) -> dict:
    from points.models import Redemption
    from points.services.ledger import balance

    reward.refresh_from_db(fields=["stock"])
    return {
        "stock": reward.stock,
        "redemptions": Redemption.objects.filter(reward=reward).count(),
        "balances": [balance(rider) for rider in riders],
        "made": [Redemption.objects.filter(reward=reward, worker=r).count() for r in riders],
    }


def check(reward, riders, before: dict, rounds: list) -> list[tuple[str, bool]]:
    """What the database says after the run against what the clients were answered."""
    from io import StringIO

    from django.core.management import CommandError, call_command
    from django.db.models import Sum

    from points.models import Account, Entry, EntryKind, Redemption, Reward
    from points.services.ledger import cause_of

    after = snapshot(reward, riders)
    answered = sum((r["total"] for r in rounds), Counter())
    per_rider = [sum(r["per_client"][i]["redeemed"] for r in rounds) for i in range(len(riders))]
    stored = after["redemptions"] - before["redemptions"]
    new = Redemption.objects.filter(reward=reward).order_by("-id")[:stored]
    spent = Entry.objects.filter(
        kind=EntryKind.REDEMPTION, cause__in=[cause_of(redemption) for redemption in new]
    ).aggregate(total=Sum("amount"))["total"]
    try:
        call_command("verify_points", stdout=StringIO())
        verified = True
    except CommandError:
        verified = False
    return [
        (
            f"Redemption rows added: {stored}; redemptions answered: {answered['redeemed']}",
            stored == answered["redeemed"],
        ),
        (
            f"stock down by {before['stock'] - after['stock']}",
            before["stock"] - after["stock"] == stored,
        ),
        (f"ledger: redemption entries of the new rows sum to {spent}", spent == -PRICE * stored),
        (
            f"each rider's balance down by {PRICE} × their redemptions answered, rows by as many",
            all(
                b - a == PRICE * n and m1 - m0 == n
                for b, a, n, m0, m1 in zip(
                    before["balances"],
                    after["balances"],
                    per_rider,
                    before["made"],
                    after["made"],
                    strict=True,
                )
            ),
        ),
        ("`verify_points`: every balance equals the sum of its ledger", verified),
        (
            "no balance and no stock below zero",
            not Account.objects.filter(balance__lt=0).exists()
            and not Reward.objects.filter(stock__lt=0).exists(),
        ),
        (
            f"refusals: {answered['refused']}; errors: {answered['error']}",
            answered["refused"] == answered["error"] == 0,
        ),
    ]


def report(args, rounds: dict, checks: list) -> str:
    bare = [r["rate"] for r in rounds[BARE]]
    redeem = [r["rate"] for r in rounds["redeem"]]
    shares = [p / b for p, b in zip(redeem, bare, strict=True)]
    threads = os.environ.get("GUNICORN_THREADS", "2")

    def joined(values, pattern="{:.0f}"):
        return " · ".join(pattern.format(value) for value in values)

    return "\n".join(
        [
            f"Run on {date.today().isoformat()}: {machine()}.",
            f"gunicorn {os.environ.get('WEB_CONCURRENCY', '3')} workers × {threads} threads "
            "(portal/gunicorn.conf.py), production settings, sessions in PostgreSQL; "
            f"{args.clients} client threads (http.client, keep-alive), one rider each, in one "
            f"process on the same machine; {args.rounds} rounds of {args.seconds} s each, "
            "alternating.",
            "",
            "| request | answers/s per round | median answers/s |",
            "|---|---|---:|",
            f"| bare Django view `GET {BARE}` | {joined(bare)} | {statistics.median(bare):.0f} |",
            f"| redemption `POST /shop/redeem/` | {joined(redeem)} | "
            f"{statistics.median(redeem):.0f} |",
            "",
            "| redeem ÷ bare, round by round | median |",
            "|---|---:|",
            f"| {joined(shares, '{:.0%}')} | {statistics.median(shares):.1%} |",
            "",
            "| afterwards, in the database | |",
            "|---|:---:|",
            *(f"| {what} | {'✓' if held else '✗'} |" for what, held in checks),
        ]
    )


if __name__ == "__main__":
    main()
