"""Build the supervised fine-tuning pairs offline from the unpacked Debian documentation packages.

Usage (after build_corpus.py has unpacked the packages; run with the .venv Python, it needs `tokenizers`):
    .venv/bin/python tools/train/build_pairs.py --work target/agora-train

Two tasks, in the prompt formats the server decodes with (see the README's AI section):
- summary: "{title}\\n\\n{source text}\\nTL;DR:" -> " {one line}<|endoftext|>". The one line is a
  documentation's own description of the text: man-page NAME lines (English and manpages-zh), PostgreSQL
  reference purpose lines, Git manual NAME lines, Python docstrings' first lines, Python module synopses,
  Debian handbook section titles (English and Chinese). The source is the text that line describes,
  whitespace-collapsed like the forum's extractive core, cut to fit about 400 tokens in all.
- answer: "Forum posts:\\n[1] t: x\\n[2] t: x\\n[3] t: x\\n\\nQuestion: q\\nAnswer (cite posts as [n]):" ->
  " {the answering sentence(s), copied from passage n} [n]<|endoftext|>", exactly as `ai::bot::build_prompt`
  lays the prompt out (passages cut to 420 characters, shortened to the token budget). One passage
  answers (an option of a man page, a command's description, a Python function's reference entry, a
  Python FAQ entry); the two others are drawn from other documents of the same language; order random.

Every pair is held out when a hash of its task and document key falls in 1 of --valid-every.
Writes <work>/pairs/{train,valid}.jsonl and <work>/pairs/counts.json (pairs per task, source and language).
"""

import argparse
import ast
import gzip
import hashlib
import html
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_corpus import html_to_text, man_to_text  # noqa: E402

EOT = "<|endoftext|>"
SUMMARY_TOKENS = 400  # prompt + target
PASSAGE_PROMPT_CHARS = 420  # src/ai/bot.rs
BOT_BUDGET = 512 - 96 - 8  # ai::answer::answer_request with the default 96 new tokens
MAX_TARGET_WORDS, MAX_TARGET_CJK = 30, 60
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def is_cjk_text(text: str) -> bool:
    return len(CJK.findall(text)) >= 2


def squash(text: str) -> str:
    """Whitespace-collapsed text (the forum's extractive core is sentences joined by spaces)."""
    text = re.sub(r"\s+", " ", text).strip()
    # Line breaks inside Chinese text (man pages wrap lines) are not spaces.
    return re.sub(r"(?<=[\u3400-\u9fff，。；：、）”])\s+(?=[\u3400-\u9fff（“])", "", text)


def sentences(text: str) -> list[str]:
    """Split prose into sentences: after . ! ? followed by space (English) and after 。！？ (Chinese)."""
    text = squash(text)
    parts = re.split(r"(?<=[。！？])|(?<=[.!?])\s+(?=[A-Z0-9(\"'`\u3400-\u9fff])", text)
    return [p.strip() for p in parts if p and p.strip()]


def as_sentence(line: str) -> str:
    """A description line as a finished sentence: first letter capitalised, closing full stop."""
    line = squash(line).rstrip(" .;:,，；：")
    if not line:
        return ""
    if is_cjk_text(line):
        return line if line[-1] in "。！？" else line + "。"
    line = line[0].upper() + line[1:]
    return line if line[-1] in ".!?" else line + "."


def short_enough(line: str) -> bool:
    if is_cjk_text(line):
        return 4 <= len(line) <= MAX_TARGET_CJK + 10
    return 2 <= len(line.split()) <= MAX_TARGET_WORDS


def prose_ok(text: str, min_chars: int = 120) -> bool:
    """Enough running text to summarise (not a table of symbols)."""
    letters = sum(c.isalpha() for c in text)
    return len(text) >= min_chars and letters >= 0.6 * len(text)


class Cutter:
    """Cuts a source text to a token budget at a sentence (else word) boundary."""

    def __init__(self, tok: Tokenizer):
        self.tok = tok

    def count(self, text: str) -> int:
        return len(self.tok.encode(text).ids)

    def cut(self, text: str, budget: int) -> str:
        enc = self.tok.encode(text)
        if len(enc.ids) <= budget:
            return text
        end = enc.offsets[budget - 1][1]
        head = text[:end]
        stop = max(head.rfind(". "), head.rfind("。"), head.rfind("? "), head.rfind("！"))
        if stop > len(head) // 2:
            return head[:stop + 1].strip()
        space = head.rfind(" ")
        return (head[:space] if space > len(head) // 2 else head).strip()


# ---------------------------------------------------------------- sources


def man_sections(text: str) -> dict[str, str]:
    """De-roffed man page -> {SECTION: body}; section headings are lines alone between blank lines."""
    out, name, body = {}, None, []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        alone = (i == 0 or not lines[i - 1].strip()) and (i + 1 >= len(lines) or not lines[i + 1].strip())
        head = line.strip()
        zh_head = head in ZH_HEADS or (len(head) <= 8 and all("\u3400" <= c <= "\u9fff" for c in head))
        if alone and head and (head.isupper() or zh_head) and len(head) < 40:
            if name:
                out.setdefault(name, "\n".join(body).strip())
            name, body = head, []
        else:
            body.append(line)
    if name:
        out.setdefault(name, "\n".join(body).strip())
    return out


ZH_HEADS = {"名称", "名字", "概述", "描述", "说明", "选项", "大纲", "语法", "总览", "参数", "命令", "功能描述"}
NAME_HEADS, DESC_HEADS, OPT_HEADS = ("NAME", "名称", "名字"), ("DESCRIPTION", "描述", "说明", "功能描述"), ("OPTIONS", "选项")


ROFF_LEFT = re.compile(r"\\\[em\]|\\\(em")  # dashes the de-roffer leaves
ROFF_REST = re.compile(r"\\\[\w+\]|\\\(\w\w|\\[,/]")


def clean_roff(text: str) -> str:
    return ROFF_REST.sub("", ROFF_LEFT.sub(" - ", text))


def man_paragraphs(body: str) -> list[str]:
    """Prose paragraphs of a man-page section; boilerplate (links, licences, bug-report addresses) dropped."""
    paras = [squash(clean_roff(p)) for p in re.split(r"\n\s*\n", body) if p.strip()]
    return [p for p in paras if not re.search(r"https?:|Copyright|GPL|<\S+@\S+>|www\.", p)]


def man_options(body: str) -> list[tuple[str, str]]:
    """Option list of a man page: (flag line, first description paragraph) for lines that start with '-'."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    out = []
    for i, para in enumerate(paras):
        first, _, rest = para.partition("\n")
        first = squash(first)
        if not re.match(r"^--?[A-Za-z0-9]", first) or len(first) > 60:
            continue
        desc = squash(rest) or (squash(paras[i + 1]) if i + 1 < len(paras) else "")
        if desc.startswith("-") or len(desc) < 12:
            continue
        out.append((first, desc))
    return out


def from_man(root: Path, pattern: str, source: str):
    """Man pages: summary pairs from NAME lines, answer material from DESCRIPTION and OPTIONS."""
    docs = []
    for f in sorted(root.glob(pattern)):
        try:
            text = man_to_text(f.read_bytes())
        except (OSError, EOFError, ValueError, gzip.BadGzipFile):
            continue
        secs = man_sections(text)
        name = next((squash(secs[h]) for h in NAME_HEADS if h in secs), "")
        m = re.match(r"^(.{1,80}?)\s+(?:\\?-|—|－)+\s+(.+)$", name)
        if not m:
            continue
        names, line = m.group(1).strip(), clean_roff(m.group(2)).strip()
        cmd = names.split(",")[0].strip()
        desc = next((secs[h] for h in DESC_HEADS if h in secs), "")
        paras = [p for p in man_paragraphs(desc) if prose_ok(p, 40)]
        section = f.parent.name.replace("man", "")
        opts = next((man_options(secs[h]) for h in OPT_HEADS if h in secs), []) or man_options(desc)
        docs.append({"key": f"{source}/{f.name}", "source": source, "title": f"{cmd}({section})", "name": cmd,
                     "line": line, "body": " ".join(paras), "options": opts})
    return docs


def from_git(root: Path):
    docs = []
    for f in sorted((root / "usr/share/doc/git-doc").glob("git*.txt")):
        text = f.read_text(encoding="utf-8", errors="replace")
        m = re.search(r"^NAME\n-+\n(\S+) - (.+?)\n", text, re.M)
        d = re.search(r"^DESCRIPTION\n-+\n(.*?)(?:\n[A-Z][A-Z ]+\n-+\n|\Z)", text, re.M | re.S)
        if not m or not d:
            continue
        body = re.sub(r"`|'|\+\+|linkgit:([\w-]+)\[(\d)\]", lambda x: f"{x.group(1)}({x.group(2)})" if x.group(1) else "",
                      d.group(1))
        paras = [squash(p) for p in re.split(r"\n\s*\n", body)
                 if p.strip() and not p.lstrip().startswith(("[", "-", "*", "<", "$", "ifdef", "endif", "include"))]
        docs.append({"key": f"git/{f.name}", "source": "git-docs", "title": m.group(1), "name": re.sub(r"^git-", "git ", m.group(1)),
                     "line": m.group(2), "body": " ".join(p for p in paras if prose_ok(p, 40)), "options": []})
    return docs


HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)


def html_sections(raw: str):
    """HTML page -> [(level, heading text, body text until the next heading)]."""
    marks = list(HEADING.finditer(raw))
    out = []
    for i, m in enumerate(marks):
        head = squash(html.unescape(re.sub(r"<[^>]+>", "", m.group(2)))).replace("¶", "").strip()
        end = marks[i + 1].start() if i + 1 < len(marks) else len(raw)
        out.append((int(m.group(1)), head, html_to_text(raw[m.end():end].encode())))
    return out


def prose_of(text: str) -> str:
    """Running text of an HTML section: paragraphs of prose, code blocks and tables dropped."""
    return " ".join(squash(p) for p in text.split("\n\n") if prose_ok(squash(p), 40) and "\n" not in p.strip()[:200])


def from_postgres(root: Path):
    docs = []
    for f in sorted((root / "usr/share/doc/postgresql-doc-15/html").glob("*.html")):
        raw = f.read_text(encoding="utf-8", errors="replace")
        m = re.search(r'<div class="refnamediv"><h2>.*?</h2><p>(.*?)</p>', raw, re.S)
        d = re.search(r"<h2>Description</h2>(.*?)(?:<div class=\"refsect1\"|$)", raw, re.S)
        if not m or not d:
            continue
        purpose = squash(html.unescape(re.sub(r"<[^>]+>", "", m.group(1))))
        if " — " not in purpose:
            continue
        name, line = purpose.split(" — ", 1)
        docs.append({"key": f"pg/{f.name}", "source": "postgresql-docs", "title": name, "name": name, "line": line,
                     "body": prose_of(html_to_text(d.group(1).encode())), "options": []})
    return docs


def from_python_html(root: Path):
    """Python library reference: module synopses (h1 "json — JSON encoder and decoder") and function entries;
    the FAQ's questions and answers."""
    mods, funcs, faqs = [], [], []
    base = root / "usr/share/doc/python3.11/html"
    for f in sorted((base / "library").glob("*.html")):
        raw = f.read_text(encoding="utf-8", errors="replace")
        h1 = next((s for s in html_sections(raw) if s[0] == 1), None)  # the sidebar's headings come first
        if h1 and " — " in h1[1]:
            name, line = h1[1].split(" — ", 1)
            body = prose_of(re.sub(r"^Source code:.*$", "", h1[2], flags=re.M))
            mods.append({"key": f"pydoc/{f.name}", "source": "python-module-synopses", "title": name.strip(),
                         "name": name.strip(), "line": line, "body": body, "options": []})
        for m in re.finditer(r'<dl class="py (function|method)">\s*<dt class="sig[^"]*" id="([\w.]+)">(.*?)</dt>\s*<dd>(.*?)</dd>',
                             raw, re.S):
            text = prose_of(html_to_text(m.group(4).encode()))
            if len(text) > 60:
                funcs.append({"key": f"pyfunc/{m.group(2)}", "source": "python-docs", "title": m.group(2),
                              "name": m.group(2), "body": text, "lang": "en"})
    for f in sorted((base / "faq").glob("*.html")):
        for level, head, text in html_sections(f.read_text(encoding="utf-8", errors="replace")):
            if head.endswith("?") and level >= 2:
                body = prose_of(text)
                if len(body) > 60:
                    faqs.append({"key": f"pyfaq/{f.name}#{head}", "source": "python-faq", "title": head, "question": head,
                                 "body": body, "lang": "en"})
    return mods, funcs, faqs


def from_docstrings(root: Path):
    """Python standard library docstrings: summary line -> the rest of the docstring."""
    docs = []
    for f in sorted((root / "usr/lib/python3.11").glob("**/*.py")):
        rel = f.relative_to(root / "usr/lib/python3.11")
        if re.search(r"test|idlelib|site-packages|dist-packages|lib2to3|__main__", str(rel)):
            continue
        try:
            tree = ast.parse(f.read_text(encoding="utf-8", errors="replace"))
        except (OSError, SyntaxError, ValueError):  # dangling symlinks, Python 2 leftovers
            continue
        mod = ".".join(rel.with_suffix("").parts).replace(".__init__", "")
        nodes = [(mod, tree)]
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                nodes.append((f"{mod}.{node.name}", node))
                if isinstance(node, ast.ClassDef):
                    nodes += [(f"{mod}.{node.name}.{n.name}", n) for n in node.body
                              if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
        for name, node in nodes:
            doc = ast.get_docstring(node)
            if not doc or "\n\n" not in doc:
                continue
            first, _, rest = doc.partition("\n\n")
            first = squash(first)
            body = " ".join(squash(p) for p in rest.split("\n\n")
                            if prose_ok(squash(p), 40) and not p.lstrip().startswith((">>>", "-", "*", ":")))
            if first and len(body) >= 120 and not first.startswith((name.split(".")[-1] + "(", ">>>")):
                docs.append({"key": f"docstring/{name}", "source": "python-docstrings", "title": name, "name": name,
                             "line": first, "body": body, "options": []})
    return docs


def from_handbook(root: Path, lang: str):
    """Debian Administrator's Handbook: a section's opening text -> its title; the page's chapter title is the title."""
    docs = []
    for f in sorted((root / f"usr/share/doc/debian-handbook/html/{lang}").glob("*.html")):
        secs = html_sections(f.read_text(encoding="utf-8", errors="replace"))
        chapter = next((h for lv, h, _ in secs if lv == 1), "")
        chapter = re.sub(r"^(Chapter|Appendix|第)\s*[\w.]*\s*(章)?[.．]?\s*", "", chapter).strip()
        for level, head, text in secs:
            title = re.sub(r"^[\dA-Z]+(\.\d+)*\.?\s+", "", head).strip()
            body = prose_of(text)
            if level < 2 or not title or not chapter or len(body) < 150:
                continue
            docs.append({"key": f"handbook-{lang}/{f.name}#{head}", "source": f"debian-handbook-{'zh' if lang == 'zh-CN' else 'en'}",
                         "title": chapter, "name": title, "line": title, "body": body, "options": []})
    return docs


# ---------------------------------------------------------------- pairs


def summary_pair(doc: dict, cut: Cutter):
    target = as_sentence(doc["line"])
    body = squash(doc["body"])
    if not target or not short_enough(target) or not prose_ok(body, 100):
        return None
    head = f"{doc['title']}\n\n"
    tail = "\nTL;DR:"
    budget = SUMMARY_TOKENS - cut.count(head + tail) - cut.count(" " + target) - 1
    if budget < 40:
        return None
    source = cut.cut(body, budget)
    lang = "zh" if is_cjk_text(target) or is_cjk_text(source[:200]) else "en"
    return {"task": "summary", "source": doc["source"], "lang": lang, "key": doc["key"], "title": doc["title"],
            "text": source, "prompt": head + source + tail, "target": " " + target}


def cut_chars(text: str, limit: int) -> str:
    text = text.strip()
    return text[:limit] + "…" if len(text) > limit else text


def estimate_tokens(text: str) -> int:
    wide = sum(1 for c in text if not c.isascii())
    narrow = len(text) - wide
    return wide + (narrow + 2) // 3


def build_prompt(question: str, passages: list[tuple[int, str, str]], budget: int) -> str:
    """Python twin of `ai::bot::build_prompt`."""
    limit = PASSAGE_PROMPT_CHARS
    while True:
        prompt = "Forum posts:\n" + "".join(f"[{n}] {t}: {cut_chars(x, limit)}\n" for n, t, x in passages)
        prompt += f"\nQuestion: {question.strip()}\nAnswer (cite posts as [n]):"
        if estimate_tokens(prompt) <= budget or limit <= 40:
            return prompt
        limit = limit * 3 // 4


def answer_target(text: str, limit_words: int = 40, limit_cjk: int = 80) -> str:
    """One or two leading sentences of the answering text, kept inside the passage's first 180 characters
    (so the prompt's cut never drops them), cut to a length budget."""
    sents = sentences(text)
    if not sents:
        return ""
    out = sents[0]
    if len(sents) > 1 and len(out) + len(sents[1]) < 180:
        out += " " + sents[1]
    if is_cjk_text(out):
        out = out if len(out) <= limit_cjk else ""
    elif len(out.split()) > limit_words:
        out = sents[0] if len(sents[0].split()) <= limit_words else ""
    if out and not re.search(r"[.!?。！？]$", out):
        out += "。" if is_cjk_text(out) else "."
    return out


def answer_items(man_docs, git_docs, pg_docs, funcs, faqs, rng):
    """Question, answering passage (title, text) and the answer text, from each kind of reference material."""
    items = []
    for d in man_docs:
        zh = d["source"] == "man-zh"
        if d["body"]:
            q = rng.choice(["{c} 命令是做什么的？", "{c} 有什么用？", "{c} 是什么？"] if zh else
                           ["What does {c} do?", "What is {c} used for?", "What is {c}?"]).format(c=d["name"])
            items.append((d, q, d["title"], d["body"], answer_target(d["body"])))
        opts = d["options"]
        for i in rng.sample(range(len(opts)), min(3, len(opts))):
            flag, desc = clean_roff(opts[i][0]), clean_roff(opts[i][1])
            short = flag.split(",")[0].split("=")[0].split(" ")[0]
            q = rng.choice(["{c} 的 {o} 选项是做什么的？", "{c} {o} 是什么意思？"] if zh else
                           ["What does the {o} option of {c} do?", "What does {c} {o} do?"]).format(c=d["name"], o=short)
            block = clean_roff(" ".join(f"{f} {x}" for f, x in opts[max(0, i - 1):i + 3]))
            first = answer_target(desc)
            if first:
                ans = f"{d['name']} {flag}：{first}" if zh else f"{d['name']} {flag}: {first}"
                items.append(({**d, "key": d["key"] + "#" + short}, q, f"{d['title']} options", block, ans))
    for d in git_docs + pg_docs:
        if d["body"]:
            q = rng.choice(["What does {c} do?", "What is {c} for?", "How do I use {c}?"]).format(c=d["name"])
            items.append((d, q, d["title"], d["body"], answer_target(d["body"])))
    for d in funcs:
        q = rng.choice(["What does {c}() do?", "What does {c} return?", "How do I use {c}?"]).format(c=d["name"])
        items.append((d, q, d["title"], d["body"], answer_target(d["body"])))
    for d in faqs:
        items.append((d, d["question"], "Python FAQ", d["body"], answer_target(d["body"])))
    return [it for it in items if it[4]]


def answer_pairs(items, rng):
    by_lang = {"en": [], "zh": []}
    for it in items:
        by_lang["zh" if it[0]["source"] == "man-zh" else "en"].append(it)
    out = []
    for lang, pool in by_lang.items():
        for d, q, title, text, ans in pool:
            others = []
            while len(others) < 2:
                o = rng.choice(pool)
                if o[0]["key"].split("#")[0] != d["key"].split("#")[0] and o not in others:
                    others.append(o)
            n = rng.randint(1, 3)
            passages = [(o[2], o[3]) for o in others]
            passages.insert(n - 1, (title, text))
            numbered = [(i + 1, t, x) for i, (t, x) in enumerate(passages)]
            prompt = build_prompt(q, numbered, BOT_BUDGET)
            # The answer must still be inside the (possibly shortened) answering passage.
            line = next(line for line in prompt.split("\n") if line.startswith(f"[{n}] "))
            core = ans.split("：", 1)[-1] if lang == "zh" else ans.split(": ", 1)[-1]
            if core[:40].rstrip(".。") not in squash(line):
                continue
            out.append({"task": "answer", "source": d["source"], "lang": lang, "key": d["key"], "question": q,
                        "answer_n": n, "text": text, "prompt": prompt, "target": f" {ans} [{n}]"})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="target/agora-train", type=Path)
    ap.add_argument("--tokenizer", default="models/agora-gpt2/tokenizer.json", type=Path)
    ap.add_argument("--valid-every", type=int, default=20, help="1 in N documents (by hash) is held out")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args()
    root = args.work / "root"
    if not (root / ".done").exists():
        sys.exit(f"{root} is not unpacked: run tools/train/build_corpus.py first")
    cut = Cutter(Tokenizer.from_file(str(args.tokenizer)))
    rng = random.Random(args.seed)

    man_docs = (from_man(root, "usr/share/man/man[1-8]/*.gz", "man-en")
                + from_man(root, "usr/share/man/zh_CN/man*/*.gz", "man-zh"))
    git_docs, pg_docs = from_git(root), from_postgres(root)
    mods, funcs, faqs = from_python_html(root)
    summary_docs = (man_docs + git_docs + pg_docs + mods + from_docstrings(root)
                    + from_handbook(root, "en-US") + from_handbook(root, "zh-CN"))
    pairs = [p for p in (summary_pair(d, cut) for d in summary_docs) if p]
    pairs += answer_pairs(answer_items(man_docs, git_docs, pg_docs, funcs, faqs, rng), rng)

    out = args.work / "pairs"
    out.mkdir(parents=True, exist_ok=True)
    counts = Counter()
    files = {s: (out / f"{s}.jsonl").open("w", encoding="utf-8") for s in ("train", "valid")}
    seen = set()
    for p in pairs:
        ident = (p["prompt"], p["target"])
        if ident in seen:
            continue
        seen.add(ident)
        doc = p["key"].split("#")[0] if p["source"].startswith("man") else p["key"]
        held = int(hashlib.sha1(f"{p['task']}|{doc}".encode()).hexdigest(), 16) % args.valid_every == 0
        split = "valid" if held else "train"
        files[split].write(json.dumps(p, ensure_ascii=False) + "\n")
        counts[(p["task"], p["source"], p["lang"], split)] += 1
    for f in files.values():
        f.close()
    rows = [{"task": t, "source": s, "lang": lg, "split": sp, "pairs": n} for (t, s, lg, sp), n in sorted(counts.items())]
    (out / "counts.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    for r in rows:
        print(f"{r['task']:8s} {r['source']:24s} {r['lang']} {r['split']:5s} {r['pairs']:6d}", file=sys.stderr)


if __name__ == "__main__":
    main()
