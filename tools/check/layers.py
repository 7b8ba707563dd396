#!/usr/bin/env python3
"""The layering check: the "never" list of DESIGN.md made executable.

Reads every `crate::...` path in src/ (comments and strings aside) and fails on an import that runs up
the floors, a web feature importing another feature (except the shared page parts named below), or a
service importing the web layer. Prints nothing and exits 0 when the house is one-way.

    python3 tools/check/layers.py            # check src/
    python3 tools/check/layers.py --root DIR # check another tree (the self-test plants violations)
"""
import argparse
import pathlib
import re
import sys

# Floors, bottom to top: a module may import its own floor and the floors below.
FLOORS = [
    {"domain", "i18n", "error", "telemetry"},
    {"render"},
    {"db"},
    {"auth", "jobs", "config", "outbound", "storage"},
    {"search"},
    {"moderation", "ai", "mail"},
    {"app"},
    {"services"},
    {"web"},
    {"startup", "seed"},
    {"cli"},
]
FLOOR_OF = {name: i for i, floor in enumerate(FLOORS) for name in floor}
# Same-floor imports that would make a loop or blur a floor.
FORBIDDEN_SIDEWAYS = {("domain", "i18n"), ("domain", "error"), ("domain", "telemetry")}

# web/ modules every feature may use.
WEB_SHARED = {"context", "form", "format", "refusal", "problem", "middleware", "redirect", "routes"}
# Page parts one feature lends another, downward only: (importer, lender).
WEB_LENDS = {
    ("posts", "social"),  # vote widgets and comment threads on post pages
    ("resources", "social"),  # the same partials on resource pages
    ("home", "posts"),  # the home page lists post summaries
    ("search", "posts"),  # search results reuse post summaries
    ("bot", "posts"),  # the bot's answer page shows its question
    ("admin", "moderation"),  # the admin user page embeds the moderation forms
    ("moderation", "social"),  # flagged comments are shown as threads show them
    ("home", "events"),  # the home page lists the next events
    ("search", "events"),  # search results list matching events
}

PATH = re.compile(r"\bcrate::(\w+)(?:::(\w+))?")
SUPER_WEB = re.compile(r"\bsuper::super::(\w+)")


def code_only(text: str) -> str:
    """Drops comments and string literals, so a path named in prose does not count."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'r#"(?:.|\n)*?"#', '""', text)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def owner(rel: pathlib.PurePath) -> tuple[str, str | None]:
    """(top-level module, web feature or None) of a source file."""
    parts = rel.parts
    top = parts[0].removesuffix(".rs")
    feature = None
    if top == "web" and len(parts) > 1:
        feature = parts[1].removesuffix(".rs")
        if feature == "mod":
            feature = None
    return top, feature


FEATURES: set[str] = set()


def check(root: pathlib.Path) -> list[str]:
    FEATURES.clear()
    FEATURES.update(web_features(root))
    problems = []
    src = root / "src"
    for path in sorted(src.rglob("*.rs")):
        rel = path.relative_to(src)
        if rel.name in ("lib.rs", "main.rs"):
            continue
        top, feature = owner(rel)
        if top not in FLOOR_OF:
            problems.append(f"{rel}: module `{top}` has no floor in tools/check/layers.py")
            continue
        text = code_only(path.read_text(encoding="utf-8"))
        for line_no, line in enumerate(text.splitlines(), 1):
            for m in PATH.finditer(line):
                target, sub = m.group(1), m.group(2)
                if target == top:
                    if top == "web" and feature and sub and sub != feature:
                        problems += web_sideways(rel, line_no, feature, sub)
                    continue
                if target not in FLOOR_OF:
                    continue
                if FLOOR_OF[target] > FLOOR_OF[top]:
                    problems.append(f"{rel}:{line_no}: `{top}` imports `{target}`, a floor above it")
                elif (top, target) in FORBIDDEN_SIDEWAYS:
                    problems.append(f"{rel}:{line_no}: `{top}` may not import `{target}`")
            if top == "web" and feature and len(rel.parts) > 2:
                for m in SUPER_WEB.finditer(line):
                    problems += web_sideways(rel, line_no, feature, m.group(1))
    return problems


def web_features(root: pathlib.Path) -> set[str]:
    web = root / "src" / "web"
    names = {p.name.removesuffix(".rs") for p in web.iterdir()} if web.is_dir() else set()
    return names - WEB_SHARED - {"mod"}


def web_sideways(rel, line_no, feature, other) -> list[str]:
    # `crate::web::render`, `see_other`, `ok` ...: the page helpers of web/mod.rs, shared by all.
    if other not in FEATURES:
        return []
    if other == feature or other in WEB_SHARED or (feature, other) in WEB_LENDS:
        return []
    return [f"{rel}:{line_no}: web feature `{feature}` imports feature `{other}`"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=pathlib.Path(__file__).resolve().parents[2], type=pathlib.Path)
    args = parser.parse_args()
    problems = check(args.root)
    for p in problems:
        print(p)
    if problems:
        print(f"layering check: {len(problems)} forbidden import(s); see DESIGN.md (floors)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
