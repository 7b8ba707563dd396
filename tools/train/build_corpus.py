"""Build agora's offline training corpus from Debian documentation packages (plain text, deduplicated, split).

Usage (from the repo root; needs apt-get and dpkg-deb, no root once the .deb files are fetched):
    python3 tools/train/build_corpus.py --work target/agora-train

Writes <work>/corpus/{train,valid}.txt (documents separated by a line holding only <|endoftext|>)
and <work>/corpus/sources.json (per-source file count, bytes kept, documents).
"""

import argparse
import gzip
import hashlib
import html
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

SEP = "<|endoftext|>"

# (name, Debian package, glob under the extracted tree, kind, byte cap). Order = priority within a cap.
SOURCES = [
    ("python-docs", "python3.11-doc", "usr/share/doc/python3.11/html/**/*.html", "html", 12_000_000),
    ("python-stdlib-code", "libpython3.11-stdlib", "usr/lib/python3.11/**/*.py", "code", 5_000_000),
    ("rust-books", "rust-doc", "usr/share/doc/rust-doc/html/{book,reference,rust-by-example,nomicon,"
     "cargo,rustc,edition-guide,rustdoc,embedded-book,style-guide}/**/*.html", "html", 8_000_000),
    ("postgresql-docs", "postgresql-doc-15", "usr/share/doc/postgresql-doc-15/html/*.html", "html", 7_000_000),
    ("git-docs", "git-doc", "usr/share/doc/git-doc/*.html", "html", 3_000_000),
    ("sqlite-docs", "sqlite3-doc", "usr/share/doc/sqlite3/**/*.html", "html", 3_000_000),
    ("cmake-docs", "cmake-doc", "usr/share/doc/cmake-data/html/**/*.html", "html", 2_000_000),
    ("man-en", "manpages", "usr/share/man/man[1-8]/*.gz", "man", 1_500_000),
    ("man-dev-en", "manpages-dev", "usr/share/man/man[23]/*.gz", "man", 2_000_000),
    ("bash-docs", "bash-doc", "usr/share/doc/bash/*.html", "html", 1_000_000),
    ("debian-reference-en", "debian-reference-en", "usr/share/debian-reference/*.en.html", "html", 2_000_000),
    ("debian-handbook-en", "debian-handbook", "usr/share/doc/debian-handbook/html/en-US/*.html", "html", 2_000_000),
    ("man-zh", "manpages-zh", "usr/share/man/zh_CN/man*/*.gz", "man", 8_000_000),
    ("debian-reference-zh", "debian-reference-zh-cn", "usr/share/debian-reference/*.zh-cn.html", "html", 3_000_000),
    ("debian-handbook-zh", "debian-handbook", "usr/share/doc/debian-handbook/html/zh-CN/*.html", "html", 3_000_000),
    ("debian-edu-zh", "debian-edu-doc-zh-cn", "usr/share/doc/debian-edu-doc-zh-cn/*bookworm*.html", "html", 3_000_000),
]

BLOCK = {"p", "div", "br", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
         "dt", "dd", "dl", "blockquote", "section", "article", "hr", "title", "td", "th"}
SKIP = {"script", "style", "nav", "head", "footer", "header", "noscript", "svg", "button", "form"}


class TextFromHtml(HTMLParser):
    """HTML -> text: blocks become paragraphs, <pre> keeps its whitespace, scripts/navigation are dropped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip, self.pre = [], 0, 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skip += 1
        elif tag == "pre":
            self.pre += 1
            self.out.append("\n\n")
        elif tag in BLOCK:
            self.out.append("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self.out.append("\n\n")
        elif tag in BLOCK:
            self.out.append("\n\n")

    def handle_data(self, data):
        if self.skip:
            return
        if self.pre:
            self.out.append(data.replace("\n", "\x00"))  # protect newlines inside code blocks
        else:
            self.out.append(re.sub(r"\s+", " ", data))

    def text(self):
        raw = "".join(self.out)
        paras = [p.strip(" ") for p in re.split(r"\n\s*\n", raw)]
        return "\n\n".join(p.replace("\x00", "\n").strip("\n") for p in paras if p.strip())


def html_to_text(raw: bytes) -> str:
    parser = TextFromHtml()
    parser.feed(raw.decode("utf-8", errors="replace"))
    parser.close()
    return parser.text()


ROFF_ESCAPES = [(r"\\f[BIRPC1-4]|\\f\(..|\\f\[[^]]*\]", ""), (r"\\-", "-"), (r"\\\(em|\\\(en", "-"),
                (r"\\\(aq", "'"), (r"\\\([lr]q", '"'), (r"\\e", "\\\\"), (r"\\&|\\\||\\\^|\\c", ""),
                (r"\\s[+-]?\d", ""), (r"\\\(bu", "*"), (r"\\ ", " "), (r"\\\*\(..|\\\*.", "")]


def man_to_text(raw: bytes) -> str:
    """Roff man page -> text, without groff: macros are dropped, their arguments kept."""
    lines = []
    for line in gzip.decompress(raw).decode("utf-8", errors="replace").splitlines():
        if line.startswith(('.\\"', "'\\\"", '.\\}', ".so ")) or line.strip() in (".", "'"):
            continue
        m = re.match(r"^[.'](\w+)\s*(.*)$", line)
        if m:
            macro, arg = m.groups()
            if macro in ("SH", "SS"):
                lines += ["", arg.strip('"'), ""]
            elif macro in ("PP", "P", "LP", "sp", "br", "TP", "IP", "RS", "RE", "nf", "fi", "EX", "EE"):
                lines.append("")
                if macro == "IP" and arg:
                    lines.append(arg.split('"')[1] if arg.startswith('"') else arg.split(" ")[0])
            elif macro in ("B", "I", "BR", "RB", "IR", "RI", "BI", "IB", "SM", "SB", "UR", "MT"):
                lines.append(arg.replace('"', ""))
            continue
        lines.append(line)
    text = "\n".join(lines)
    for pat, rep in ROFF_ESCAPES:
        text = re.sub(pat, rep, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def code_to_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").strip()


def expand(pattern: str):
    m = re.search(r"\{([^}]*)\}", pattern)
    if not m:
        return [pattern]
    return [pattern[:m.start()] + alt + pattern[m.end():] for alt in m.group(1).split(",")]


def fetch_packages(work: Path) -> Path:
    """Download the .deb files once and unpack them (no installation) under <work>/root."""
    debs, root = work / "debs", work / "root"
    debs.mkdir(parents=True, exist_ok=True)
    wanted = sorted({pkg for _, pkg, *_ in SOURCES})
    missing = [p for p in wanted if not list(debs.glob(f"{p}_*.deb"))]
    if missing:
        subprocess.run(["apt-get", "download", *missing], cwd=debs, check=True)
    if not (root / ".done").exists():
        root.mkdir(parents=True, exist_ok=True)
        for deb in sorted(debs.glob("*.deb")):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        (root / ".done").write_text("\n".join(wanted) + "\n")
    return root


def demo_posts(path: Path):
    """The project's own demo forum (src/seed/demo_forum.txt): each article, question, answer and comment as a
    document (title, then the Markdown body), keyed by its block key for the held-out split."""
    for block in path.read_text(encoding="utf-8").split("\n@@@ ")[1:]:
        head, _, body = block.partition("\n---\n")
        kind, key = head.split()[:2]
        if kind == "user" or not body.strip():
            continue
        title = next((line[7:] for line in head.splitlines() if line.startswith("title: ")), "")
        yield f"demo/{key}", (title + "\n\n" + body).strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="target/agora-train", help="scratch folder (git-ignored)")
    ap.add_argument("--valid-every", type=int, default=50, help="every Nth document (by hash) is held out")
    args = ap.parse_args()
    work = Path(args.work)
    root = fetch_packages(work)
    convert = {"html": html_to_text, "man": man_to_text, "code": code_to_text}

    seen, train, valid, report = set(), [], [], []
    for name, pkg, pattern, kind, cap in SOURCES:
        files = sorted({f for pat in expand(pattern) for f in root.glob(pat) if f.is_file()})
        files = [f for f in files if not re.search(r"genindex|search\.html|modindex|/test/|/idlelib/", str(f))]
        kept = docs = 0
        for f in files:
            if kept >= cap:
                break
            try:
                text = convert[kind](f.read_bytes())
            except (OSError, EOFError, ValueError):
                continue
            paras = []
            for para in text.split("\n\n"):
                key = hashlib.sha1(re.sub(r"\s+", " ", para).strip().encode()).digest()
                if key in seen:
                    continue
                seen.add(key)
                paras.append(para)
            doc = "\n\n".join(paras).strip()
            if len(doc) < 200:
                continue
            rel = str(f.relative_to(root))
            held = int(hashlib.sha1(rel.encode()).hexdigest(), 16) % args.valid_every == 0
            (valid if held else train).append(doc)
            kept += len(doc.encode())
            docs += 1
        report.append({"source": name, "package": pkg, "files": len(files), "documents": docs, "bytes": kept})
        print(f"{name:22s} {pkg:24s} files={len(files):5d} docs={docs:5d} bytes={kept:>10,d}", file=sys.stderr)

    demo = Path(__file__).resolve().parents[2] / "src" / "seed" / "demo_forum.txt"
    docs = kept = 0
    for rel, doc in demo_posts(demo):
        held = int(hashlib.sha1(rel.encode()).hexdigest(), 16) % args.valid_every == 0
        (valid if held else train).append(doc)
        docs, kept = docs + 1, kept + len(doc.encode())
    report.append({"source": "agora-demo", "package": "(this repository)", "files": 1, "documents": docs, "bytes": kept})
    print(f"{'agora-demo':22s} {'(this repository)':24s} files=    1 docs={docs:5d} bytes={kept:>10,d}", file=sys.stderr)

    out = work / "corpus"
    out.mkdir(parents=True, exist_ok=True)
    for split, docs in (("train", train), ("valid", valid)):
        (out / f"{split}.txt").write_text(f"\n{SEP}\n".join(docs) + "\n", encoding="utf-8")
    total = {"train_bytes": (out / "train.txt").stat().st_size, "valid_bytes": (out / "valid.txt").stat().st_size,
             "train_documents": len(train), "valid_documents": len(valid), "sources": report}
    (out / "sources.json").write_text(json.dumps(total, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in total.items() if k != "sources"}), file=sys.stderr)


if __name__ == "__main__":
    main()
