"""Every app's imports, read from the source (ast): the one-way chain and each app's public face.

The chain is portal ← registry ← stations ← points ← feedback ← dashboard. An app imports only
apps to its left, and of those only their public face: `models`, `services` (a module, or a
package and its modules) and `selectors`, never their views, forms, urls, template tags or
anything else. The core, `portal`, imports no app, and any app may use any part of the core but
its views and urls. Nothing imports `dashboard`, the last in the chain. A new app fails
`test_every_app_has_its_place_in_the_chain` until it is placed, as a new URL fails the
permission matrix until it has a row.
"""

import ast
from pathlib import Path

from django.conf import settings

CHAIN = ["portal", "registry", "stations", "points", "feedback", "dashboard"]
CORE = "portal"
PUBLIC_FACE = {"models", "services", "selectors"}
CORE_PRIVATE = {"views", "urls"}
ROOT = Path(settings.BASE_DIR)


def imports(source: str, module: str):
    """(line, imported module) for every import in `source`, the module named `module`; a name
    imported from an app's package counts as its module (`from registry import riders`)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package upwards
                package = module.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            if "." in base:
                yield node.lineno, base
            else:
                for alias in node.names:
                    yield node.lineno, base if alias.name == "*" else f"{base}.{alias.name}"


def refusal(app: str, name: str) -> str:
    """Why `app` may not import `name`, or "" if it may."""
    target, *rest = name.split(".")
    if target not in CHAIN or target == app:
        return ""
    if app == CORE:
        return "the core imports no app"
    if CHAIN.index(target) > CHAIN.index(app):
        return f"{target} is right of {app} in the chain: {' ← '.join(CHAIN)}"
    part = rest[0] if rest else ""
    if target == CORE:
        return f"the core's {part} are its own" if part in CORE_PRIVATE else ""
    if part not in PUBLIC_FACE:
        return f"{target}.{part or '*'} is not {target}'s public face (models, services, selectors)"
    return ""


def violations(app: str, path: str, source: str) -> list[str]:
    module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    return [
        f"{path}:{line}: import {name} — {reason}"
        for line, name in imports(source, module)
        if (reason := refusal(app, name))
    ]


def app_modules():
    for app in CHAIN:
        for path in sorted((ROOT / app).rglob("*.py")):
            yield app, path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def test_every_app_has_its_place_in_the_chain():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps == set(CHAIN)


def test_apps_import_each_other_only_down_the_chain_and_through_the_public_face():
    found = [line for app, path, source in app_modules() for line in violations(app, path, source)]
    assert not found, "\n".join(found)


def test_the_check_names_each_import_that_breaks_the_rules():
    source = "\n".join(
        [
            "from portal.scope import in_scope",
            "from registry.models import Worker",
            "from registry import riders, services",
            "from stations.views.landing import station_from_token",
            "import feedback.services",
            "from dashboard import export",
            "from portal.views import home",
            "",
            "def ready():",
            "    from registry.forms import MobileForm",
            "    from .selectors import my_board",
            "    from points.services.ledger import award",
        ]
    )
    assert violations("points", "points/views/board.py", source) == [
        "points/views/board.py:3: import registry.riders — registry.riders is not registry's "
        "public face (models, services, selectors)",
        "points/views/board.py:4: import stations.views.landing — "
        "stations.views is not stations's public face (models, services, selectors)",
        "points/views/board.py:5: import feedback.services — feedback is right of points in the "
        "chain: portal ← registry ← stations ← points ← feedback ← dashboard",
        "points/views/board.py:6: import dashboard.export — dashboard is right of points in the "
        "chain: portal ← registry ← stations ← points ← feedback ← dashboard",
        "points/views/board.py:7: import portal.views — the core's views are its own",
        "points/views/board.py:10: import registry.forms — registry.forms is not "
        "registry's public face (models, services, selectors)",
    ]
    assert violations("portal", "portal/navigation.py", "from registry.models import Worker") == [
        "portal/navigation.py:1: import registry.models — the core imports no app"
    ]
