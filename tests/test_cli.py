"""The `paperqa` command as a user runs it: a real subprocess, real exit codes and messages."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

PAPERQA = [sys.executable, "-m", "paperqa.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*PAPERQA, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ["ingest", "search", "ask", "serve", "eval", "fetch", "bench", "papers"]:
        assert command in result.stdout


def test_search_without_index_is_a_one_line_error(tmp_path):
    result = run("search", "attention", "--index-dir", str(tmp_path / "none"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "paperqa ingest" in result.stderr


def test_ingest_of_a_folder_without_readable_papers_fails(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "broken.pdf").write_bytes(b"not a pdf at all")
    result = run(
        "ingest", "--source", str(tmp_path / "src"), "--index-dir", str(tmp_path / "ix"), "--quiet"
    )
    assert result.returncode != 0
    assert "broken.pdf" in result.stdout + result.stderr


def test_ingest_of_a_missing_folder_is_a_one_line_error(tmp_path):
    result = run("ingest", "--source", str(tmp_path / "absent"), "--index-dir", str(tmp_path))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


@pytest.mark.slow
def test_bm25_search_json_on_the_real_index(corpus_index):
    result = run(
        "search",
        "scaled dot-product attention",
        "--retriever",
        "bm25",
        "-k",
        "3",
        "--index-dir",
        str(corpus_index.index_dir),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    passages = json.loads(result.stdout)
    assert len(passages) == 3
    assert {"doc", "title", "pages", "score", "text"} <= set(passages[0])
    assert passages[0]["doc"] == "attention-is-all-you-need"


@pytest.mark.slow
def test_bm25_search_does_not_import_torch(corpus_index):
    index_dir = str(corpus_index.index_dir)
    code = (
        "import sys; from paperqa.cli import app\n"
        "try:\n"
        f"    app(['search', 'residual', '-r', 'bm25', '--index-dir', {index_dir!r}])\n"
        "except SystemExit: pass\n"
        "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().endswith("NO-TORCH"), result.stdout[-500:] + result.stderr


@pytest.mark.slow
def test_paper_filter_by_title_words(corpus_index):
    result = run(
        "search",
        "attention",
        "--papers",
        "pointer networks",
        "-k",
        "5",
        "--json",
        "--index-dir",
        str(corpus_index.index_dir),
        "-r",
        "bm25",
    )
    assert result.returncode == 0, result.stderr
    assert {p["doc"] for p in json.loads(result.stdout)} == {"pointer-networks"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "message"),
    [("x" * 100_000, "the limit is"), ("   ", "the question is empty")],
)
def test_ask_refuses_unreasonable_questions_with_one_line(corpus_index, question, message):
    result = run("ask", question, "--index-dir", str(corpus_index.index_dir))
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.strip().count("\n") == 0


@pytest.mark.slow
def test_ask_with_a_missing_model_file_says_so(corpus_index, tmp_path):
    result = run(
        "ask", "What is attention?", "--model", str(tmp_path / "absent.gguf"),
        "--index-dir", str(corpus_index.index_dir),
    )  # fmt: skip
    assert result.returncode == 2
    assert "absent.gguf" in result.stderr


@pytest.mark.slow
def test_ask_json_gives_a_cited_answer(corpus_index):
    result = run(
        "ask", "How many layers does the Transformer encoder have?", "--json",
        "--index-dir", str(corpus_index.index_dir),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout)
    assert {"question", "answer", "refused", "citations", "passages", "timings"} <= set(answer)
    assert not answer["refused"]
    assert "6" in answer["answer"] or "six" in answer["answer"].lower()
    assert answer["citations"][0]["doc"] == "attention-is-all-you-need"
    assert {"retrieve_s", "first_token_s", "total_s"} <= set(answer["timings"])
