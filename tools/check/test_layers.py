#!/usr/bin/env python3
"""Self-test of the layering check: the real tree passes, and each kind of forbidden import planted in
a copy of it is caught. Run by `make test` (prints the unittest summary)."""
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECK = ROOT / "tools" / "check" / "layers.py"


def run(root: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHECK), "--root", str(root)], capture_output=True, text=True
    )


class LayeringCheck(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.dir.name)
        shutil.copytree(ROOT / "src", self.root / "src")

    def tearDown(self):
        self.dir.cleanup()

    def plant(self, rel: str, line: str) -> str:
        path = self.root / "src" / rel
        path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")
        result = run(self.root)
        self.assertEqual(result.returncode, 1, result.stdout)
        return result.stdout

    def test_the_tree_is_one_way(self):
        result = run(ROOT)
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertEqual(result.stdout, "")

    def test_db_importing_a_floor_above_fails(self):
        out = self.plant("db/users.rs", "use crate::moderation::Verdict;")
        self.assertIn("db/users.rs", out)
        self.assertIn("`db` imports `moderation`", out)

    def test_a_service_importing_the_web_fails(self):
        out = self.plant("services/posts.rs", "use crate::web::refusal::Refused;")
        self.assertIn("`services` imports `web`", out)

    def test_domain_importing_render_fails(self):
        out = self.plant("domain/post.rs", "use crate::render::render_post;")
        self.assertIn("`domain` imports `render`", out)

    def test_a_feature_importing_another_feature_fails(self):
        out = self.plant("web/social/votes.rs", "use crate::web::resources::ResourceView;")
        self.assertIn("web feature `social` imports feature `resources`", out)

    def test_a_lent_page_part_passes(self):
        path = self.root / "src" / "web" / "posts" / "tags.rs"
        path.write_text(path.read_text(encoding="utf-8") + "\nuse crate::web::social::votes;\n")
        self.assertEqual(run(self.root).returncode, 0)

    def test_paths_named_in_comments_do_not_count(self):
        path = self.root / "src" / "db" / "users.rs"
        path.write_text(path.read_text(encoding="utf-8") + "\n// see crate::web::routes\n")
        self.assertEqual(run(self.root).returncode, 0)


if __name__ == "__main__":
    unittest.main()
