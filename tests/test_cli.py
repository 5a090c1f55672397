"""The `paperqa` command as a user runs it: a real subprocess, real exit codes and messages."""

import json
import os
import pty
import re
import socket
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path

import pytest

PAPERQA = [sys.executable, "-m", "paperqa.cli"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*PAPERQA, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def _help_commands(help_text: str) -> list[str]:
    """The command names of the rows of the help's ``Commands:`` section, in order."""
    lines = help_text.splitlines()
    start = lines.index("Commands:") + 1
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        if not line.startswith("    "):  # a description running on is indented further
            rows.append(line.split()[0])
    return rows


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    assert _help_commands(result.stdout) == [
        "fetch", "ingest", "search", "ask", "chat", "papers", "settings", "serve", "mcp", "bench",
        "eval",
    ]  # fmt: skip


def test_help_describes_each_command_whole_on_an_80_column_terminal():
    env = {**os.environ, "COLUMNS": "80"}
    for command in [[], ["eval"]]:
        result = run_with(env, *command, "--help")
        rows = result.stdout.split("Commands:\n", 1)[1].strip().splitlines()
        assert len(rows) >= 3, command
        for row in rows:  # click cuts a description too long for the line with "..."
            assert len(row) <= 80 and not row.endswith("..."), row


def test_help_shows_flags_without_type_placeholders():
    names = ["ingest", "search", "ask", "chat", "serve", "papers", "settings", "mcp", "bench"]
    commands = [[], *([name] for name in names)]
    evals = [["eval", "retrieval"], ["eval", "answers"], ["eval", "evidence"]]
    for command in [*commands, *evals]:
        result = run(*command, "--help")
        assert result.returncode == 0, command
        assert "<bool>" not in result.stdout, command
    ingest_help = run("ingest", "--help").stdout
    assert "--rebuild" in ingest_help and "--no-rebuild" not in ingest_help
    assert "mcp" in run("--help").stdout


def test_eval_and_settings_help_say_what_the_options_take():
    def flat(*args: str) -> str:
        return " ".join(run(*args).stdout.split())

    retrieval = flat("eval", "retrieval", "--help")
    assert "among bm25, dense, hybrid, learned and default: the one `ask` uses" in retrieval
    assert "../shared/eval/questions.dev.jsonl" in retrieval
    assert "tokenizer measures the prompt" in flat("eval", "evidence", "--help")
    listing = flat("settings")  # the default score fusion weighs scores, not ranks
    assert "Weight of the BM25 retriever in the hybrid (on its normalised scores" in listing
    assert "vectors (vectors/), the embedder's ONNX export (onnx/)" in listing  # cache_dir


def test_settings_lists_every_field_with_its_value_and_variable_and_hides_the_api_key():
    env = {**os.environ, "PAPERQA_K": "7", "PAPERQA_OPENAI_API_KEY": "sk-secret"}
    result = subprocess.run(
        [*PAPERQA, "settings"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "k = 7  (PAPERQA_K)" in result.stdout
    assert "fusion_depth = 100  (PAPERQA_FUSION_DEPTH)" in result.stdout  # no flag sets it
    assert "sk-secret" not in result.stdout and "openai_api_key = '(set)'" in result.stdout


def test_settings_with_a_bad_variable_lists_the_rest_and_ends_with_the_usual_error():
    env = {**os.environ, "PAPERQA_K": "abc", "PAPERQA_CHUNK_OVERLAP": "300"}
    result = subprocess.run(
        [*PAPERQA, "settings"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(
        "paperqa: error: invalid setting: "
    )
    assert "k = 'abc' (PAPERQA_K): Input should be a valid integer" in result.stderr
    assert "chunk_overlap = '300' (PAPERQA_CHUNK_OVERLAP): must be smaller" in result.stderr
    assert result.stderr == run_with(env, "papers").stderr  # the message other commands give
    assert "k = 'abc'  (PAPERQA_K)  INVALID: Input should be a valid integer" in result.stdout
    assert "fusion_depth = 100  (PAPERQA_FUSION_DEPTH)" in result.stdout
    assert "chunk_tokens = 200  (PAPERQA_CHUNK_TOKENS)" in result.stdout
    as_json = subprocess.run(
        [*PAPERQA, "settings", "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    assert as_json.returncode == 2 and as_json.stderr == result.stderr
    values = json.loads(as_json.stdout)
    assert values["k"] == "abc" and values["fusion_depth"] == 100


def run_with(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PAPERQA, *args], capture_output=True, text=True, env=env, timeout=60)


def test_serve_on_a_taken_port_says_so_and_how_to_choose_another(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port), "--index-dir", str(tmp_path))
        script = subprocess.run(
            [sys.executable, "app.py", "--port", str(port), "--index-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[1],
        )  # fmt: skip
    for outcome in (result, script):
        assert outcome.returncode == 2
        assert f"port {port} on 127.0.0.1 is taken" in outcome.stderr
        assert f"--port {port + 1}" in outcome.stderr
        assert outcome.stderr.strip().count("\n") == 0


def test_two_serves_started_together_on_one_port_one_serves_and_one_says_the_port_is_taken(
    tmp_path,
):
    # Both used to probe the free port, load everything, and then one failed inside uvicorn.
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    command = [*PAPERQA, "serve", "--port", str(port), "--index-dir", str(tmp_path)]
    servers = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        loser = _first_to_exit(servers, timeout=120)
        assert loser.returncode == 2
        error = loser.stderr.read()
        assert f"port {port} on 127.0.0.1 is taken" in error
        assert error.strip().count("\n") == 0
        (winner,) = [s for s in servers if s is not loser]
        page = _get_when_up(f"http://127.0.0.1:{port}/healthz", winner)
        assert page == {"index": False, "documents": 0, "model_ready": False}
    finally:
        for server in servers:
            server.kill()
            server.wait()


def test_serve_listens_on_every_address_its_host_names(monkeypatch):
    # "localhost" names both ::1 and 127.0.0.1 on many machines; a browser may try either.
    from paperqa.cli import listen_on
    from paperqa.errors import PaperQAError

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    both = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: both)
    listeners = listen_on("localhost", port)
    try:
        for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            with socket.socket(family) as client:
                client.settimeout(5)
                client.connect((address, port))  # refused where nothing listens
        with pytest.raises(PaperQAError, match=f"port {port} on localhost is taken"):
            listen_on("localhost", port)
    finally:
        for listener in listeners:
            listener.close()
    with socket.socket(socket.AF_INET6) as taken:  # ::1 taken: 127.0.0.1, bound first, is let go
        taken.bind(("::1", port))
        taken.listen()
        with pytest.raises(PaperQAError, match="is taken"):
            listen_on("localhost", port)
        with socket.socket() as after:
            after.bind(("127.0.0.1", port))
            after.listen()


def _first_to_exit(processes: list[subprocess.Popen], timeout: float) -> subprocess.Popen:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                return process
        time.sleep(0.1)
    raise AssertionError("neither serve exited")


def _get_when_up(url: str, process: subprocess.Popen) -> dict:
    import httpx

    for _ in range(600):
        assert process.poll() is None, process.stderr.read()
        try:
            return httpx.get(url, timeout=2).json()
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("the serving one never answered")


def test_papers_prints_every_id_whole_on_a_narrow_terminal(tmp_path, monkeypatch):
    from paperqa.readinglist import papers_by_id

    monkeypatch.setenv("COLUMNS", "60")
    result = run("papers", "--index-dir", str(tmp_path / "none"))
    assert result.returncode == 0, result.stderr
    printed = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert set(papers_by_id()) <= printed


def test_papers_without_an_index_says_so_on_stderr(tmp_path):
    # a mistyped --index-dir would otherwise read as "none of the papers is indexed"
    for extra in ([], ["--json"]):
        result = run("papers", "--index-dir", str(tmp_path / "none"), *extra)
        assert result.returncode == 0
        assert result.stderr.strip().count("\n") == 0
        assert f"no index in {tmp_path / 'none'}/" in result.stderr
        assert "paperqa ingest" in result.stderr
    assert all(not row["indexed"] for row in json.loads(result.stdout))  # stdout stays JSON


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
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    broken = tmp_path / "src" / "broken.pdf"
    assert f"  {broken}: not a PDF file (no %PDF header)" in result.stdout.splitlines()
    assert "No document could be indexed from this folder" in result.stdout


def test_ingest_of_a_missing_folder_is_a_one_line_error(tmp_path):
    result = run("ingest", "--source", str(tmp_path / "absent"), "--index-dir", str(tmp_path))
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.4")
    result = run("ingest", "--source", str(tmp_path / "paper.pdf"), "--index-dir", str(tmp_path))
    assert result.returncode == 2
    assert "paper.pdf is a file: give the folder that holds the papers" in result.stderr


def test_a_folder_that_cannot_be_made_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run("fetch", "--dest", str(blocker / "papers"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"paperqa: error: {blocker / 'papers'}: Not a directory"
    result = run("fetch", "--dest", str(blocker))
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == f"paperqa: error: {blocker}: a file is there, where a folder is needed"
    )


def test_eval_retrieval_refuses_unknown_retrievers_and_bad_question_files(tmp_path):
    questions = tmp_path / "questions.jsonl"
    questions.write_text('{"id": "t-1", "question": "Why?", "answerable": false}\n', "utf-8")
    index = str(tmp_path / "no-index")  # each error comes before the index is read
    unknown = run("eval", "retrieval", "--retrievers", "bm25,bm52", "--index-dir", index)
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines() == [
        "paperqa: error: unknown retriever 'bm52'; choose among default, learned, hybrid, "
        "dense, bm25"
    ]
    nothing = run("eval", "retrieval", "--questions", str(questions), "--index-dir", index)
    assert nothing.returncode == 2
    assert "no answerable question in" in nothing.stderr
    questions.write_text("{}\n", "utf-8")
    for command in ("retrieval", "answers", "evidence"):
        bad = run("eval", command, "--questions", str(questions), "--index-dir", index)
        assert bad.returncode == 2, command
        assert bad.stderr.strip().endswith("line 1: no 'id' text"), command
    assert run("eval", "answers", "--limit", "0").returncode == 2


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
def test_search_favours_the_paper_named_by_its_model(corpus_index):
    # "Transformer" names no paper in its own title; the reading list knows it as the
    # Transformer paper's model. Without that name, passages of two papers that train
    # Transformers came first and the Transformer paper's optimizer passage third.
    args = ["search", "What optimizer did Transformer use?", "-k", "3", "--json"]
    result = run(*args, "--index-dir", str(corpus_index.index_dir))
    assert result.returncode == 0, result.stderr[-2000:]
    passages = json.loads(result.stdout)
    assert [p["doc"] for p in passages].count("attention-is-all-you-need") >= 2
    assert any("Adam" in p["text"] for p in passages[:2])


@pytest.mark.slow
def test_search_passages_are_the_matched_chunks_widened_to_about_180_words(corpus_index):
    args = ["search", "residual learning", "-r", "bm25", "-k", "5", "--json"]
    args += ["--index-dir", str(corpus_index.index_dir)]
    chunks = json.loads(run(*args, "--passage-words", "0").stdout)
    passages = json.loads(run(*args).stdout)
    assert [p["chunk_id"] for p in passages] == [c["chunk_id"] for c in chunks]
    for chunk, passage in zip(chunks, passages, strict=True):
        assert chunk["text"] in passage["text"]
        assert (
            passage["page_start"] <= chunk["page_start"] <= chunk["page_end"] <= passage["page_end"]
        )
    words = [len(p["text"].split()) for p in passages]
    assert max(words) <= 200 and sum(words) / len(words) >= 150
    shown = run(*[a for a in args if a != "--json"]).stdout
    first = shown.split("\n")[1].split()  # the snippet starts where the chunk that matched does
    assert first[:5] == chunks[0]["text"].split()[:5]


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


def test_ask_with_a_missing_model_file_says_so_before_loading_anything(small_index, tmp_path):
    argv = ["paperqa", "ask", "What is attention?", "--model", str(tmp_path / "absent.gguf")]
    argv += ["--index-dir", str(small_index)]
    code = (
        f"import sys; sys.argv = {argv!r}\n"
        "from paperqa.cli import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == f"paperqa: error: model {argv[4]!r}: GGUF file not found"
    assert result.stdout.strip() == "NO-TORCH"  # failed before the embedder started loading


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


@pytest.mark.slow
def test_chat_answers_question_after_question_and_reads_a_follow_up_against_the_last(
    corpus_index,
):
    lines = [
        "How many layers does the Transformer encoder have?",
        "",  # skipped
        "x" * 3000,  # too long: said, and the chat goes on
        "What optimizer did it use?",
        "exit",
        "What is ResNet?",  # after `exit`: never asked
    ]
    result = subprocess.run(
        [*PAPERQA, "chat", "--index-dir", str(corpus_index.index_dir)],
        input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    answers = re.findall(r"^(.+)\n\nSources:$", result.stdout, re.MULTILINE)
    cited = re.findall(r"  \[([a-z0-9-]+)\]$", result.stdout, re.MULTILINE)
    assert len(answers) == 2, result.stdout
    assert re.search(r"\b(6|six)\b", answers[0], re.IGNORECASE)
    assert "Adam" in answers[1]
    assert re.search(
        r"^\(read as: What optimizer did .*Transformer.* use\?\)$", result.stdout, re.M
    )
    assert cited and set(cited) == {"attention-is-all-you-need"}
    assert "the question is 3,000 characters; the limit is 2,000" in result.stderr
    assert "ResNet" not in result.stdout


@pytest.mark.slow
def test_chat_json_prints_one_answer_per_line_with_its_reading_of_a_follow_up(corpus_index):
    lines = ["How many layers does the Transformer encoder have?", "What optimizer did it use?"]
    result = subprocess.run(
        [*PAPERQA, "chat", "--json", "--index-dir", str(corpus_index.index_dir)],
        input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert re.search(r"\b(6|six)\b", first["answer"], re.IGNORECASE)
    assert second["standalone_question"] == "What optimizer did Transformer use?"
    assert "Adam" in second["answer"]
    assert second["citations"][0]["section"] == "5.3 Optimizer"


@pytest.mark.slow
def test_eval_evidence_writes_each_question_and_a_summary_per_part(corpus_index, tmp_path):
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "mine-1", "question": "How many layers does the Transformer encoder have?",
         "answer_key": [["N = 6"]]},
        {"id": "mine-2", "question": "How many layers does the Transformer encoder have?",
         "answer_key": [["zqxv"]]},
    ]  # fmt: skip
    questions.write_text("".join(json.dumps(row) + "\n" for row in rows))
    result = run(
        "eval", "evidence", "--questions", str(questions), "--json", "--out", str(tmp_path),
        "--index-dir", str(corpus_index.index_dir),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert summary["parts"]["mine"]["key_in_prompt"] == 0.5
    records = json.loads((tmp_path / "evidence.json").read_text())["per_question"]
    assert [r["key_in_prompt"] for r in records] == [True, False]


# --- Bad input: one line on stderr, exit 2, never a traceback --------------------------------


@pytest.fixture
def small_index(tmp_path):
    from index_factory import write_small_index

    write_small_index(tmp_path / "index")
    return tmp_path / "index"


def _main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """``paperqa ARGS`` in this process (fast), as the console entry point runs it."""
    from paperqa.cli import main

    monkeypatch.setattr(sys, "argv", ["paperqa", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    out = capsys.readouterr()
    return exited.value.code, out.out, out.err


def _one_line_error(code, err, *expected: str) -> None:
    assert code == 2, err
    assert err.startswith("paperqa: error: ") and err.strip().count("\n") == 0, err
    assert "Traceback" not in err
    for text in expected:
        assert text in err, err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["search", "attention", "-k", "0"], "k = 0"),
        (["search", "attention", "-k", "-5"], "k = -5"),
        (["search", "attention", "-k", "100000"], "less than or equal to 100"),
        (["search", "attention", "--retriever", "foo"], "retriever = 'foo'"),
        (["search", "attention", "--passage-words", "-1"], "passage_words = -1"),
        (["ask", "What is attention?", "--backend", "foo"], "backend = 'foo'"),
        (["ingest", "--chunk-tokens", "5"], "chunk_tokens = 5"),
        (["ingest", "--chunk-tokens", "64", "--chunk-overlap", "64"], "must be smaller"),
        (["search", ""], "the query is empty"),
        (["search", "x" * 100_000], "the limit is 2,000"),
        (["search", "\x01\x02\x1b[31m\x7f"], "control characters"),
        (["ask", "x" * 100_000], "the question is 100,000 characters; the limit is 2,000"),
        (["ask", "   "], "the question is empty"),
        (["ask", "\x00\x01\x02\x03"], "control characters"),
        (["ask", "?!"], "no words"),
        (["serve", "--port", "0"], "port = 0"),
        (["eval", "evidence", "--evidence-tokens", "10"], "evidence_tokens = 10"),
        (["eval", "answers", "--questions", "no-such.jsonl"], "question file not found"),
        (["search", "gate", "--papers", "no such paper"], "no indexed paper matches"),
        (["search", "gate", "--papers", " , ,"], "names nothing"),
    ],
)
def test_bad_values_get_one_line(monkeypatch, capsys, small_index, args, expected):
    code, _, err = _main(monkeypatch, capsys, *args, "--index-dir", str(small_index))
    _one_line_error(code, err, expected)


@pytest.mark.parametrize("command", ["answers", "evidence", "retrieval"])
def test_eval_out_naming_a_file_fails_before_the_run(monkeypatch, capsys, small_index, command):
    questions = small_index.parent / "q.jsonl"
    questions.write_text('{"id": "mine-1", "question": "What is a gate?", "doc": "d0"}\n')
    report = small_index.parent / "report.json"
    report.write_text("keep me")
    code, _, err = _main(
        monkeypatch, capsys, "eval", command, "--questions", str(questions),
        "--out", str(report), "--index-dir", str(small_index),
    )  # fmt: skip
    _one_line_error(code, err, "--out must be a folder", "report.json is a file")
    assert report.read_text() == "keep me"


def test_a_bad_environment_value_is_one_line_too(monkeypatch, capsys, small_index):
    monkeypatch.setenv("PAPERQA_K", "many")
    code, _, err = _main(monkeypatch, capsys, "search", "gate", "--index-dir", str(small_index))
    _one_line_error(code, err, "PAPERQA_K")


def test_a_non_utf8_argument_is_one_line(small_index):
    result = subprocess.run(
        [*PAPERQA, "search", b"reset \xff\xfe gate", "--index-dir", str(small_index)],
        capture_output=True,
        text=True,
    )
    _one_line_error(result.returncode, result.stderr, "not valid UTF-8")


def test_a_valid_search_still_works(monkeypatch, capsys, small_index):
    code, out, _ = _main(
        monkeypatch, capsys, "search", "reset gate", "-r", "bm25", "-k", "1",
        "--index-dir", str(small_index),
    )  # fmt: skip
    assert code == 0 and "Document 0" in out


@pytest.mark.parametrize("name", ["chunks.jsonl", "dense.faiss", "bm25.json", "meta.json"])
@pytest.mark.parametrize("how", ["truncated", "garbage", "missing"])
def test_a_damaged_index_file_is_named_in_every_command(
    monkeypatch, capsys, small_index, name, how
):
    from paperqa.store import current_generation

    path = current_generation(small_index) / name
    data = path.read_bytes()
    if how == "missing":
        path.unlink()
    else:
        path.write_bytes(data[: len(data) // 2] if how == "truncated" else b"\x00\xff" * len(data))
    for command in (["search", "gate", "-r", "bm25"], ["ask", "What is a gate?"], ["papers"],
                    ["serve", "--port", "1"]):  # fmt: skip
        code, _, err = _main(monkeypatch, capsys, *command, "--index-dir", str(small_index))
        _one_line_error(code, err, name, "--rebuild")


@pytest.mark.slow
def test_search_snippets_drop_pdf_glyph_junk(corpus_index):
    query = "ResNet-110 replaced bottleneck 1x1 16 3x3"
    args = ["-r", "bm25", "-k", "3", "--papers", "identity-mappings-resnets"]
    args += ["--index-dir", str(corpus_index.index_dir)]
    raw = json.loads(run("search", query, *args, "--json").stdout)
    assert any(unicodedata.category(c) == "Co" for p in raw for c in p["text"])  # junk indexed
    shown = run("search", query, *args).stdout
    assert "ResNet-110" in shown
    assert not any(unicodedata.category(c) in ("Co", "Cc") for c in shown if c != "\n")


@pytest.mark.slow
def test_ask_shows_progress_on_a_terminal_and_prints_the_answer_once(corpus_index):
    question = "How many layers does the Transformer encoder have?"
    command = [*PAPERQA, "ask", question, "--index-dir", str(corpus_index.index_dir)]
    terminal, stderr_side = pty.openpty()  # stderr is a terminal, as in a user's shell
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr_side, text=True)
    os.close(stderr_side)
    shown: list[bytes] = []

    def read_terminal() -> None:
        while True:
            try:
                data = os.read(terminal, 4096)
            except OSError:  # the child closed its end
                return
            if not data:
                return
            shown.append(data)

    reader = threading.Thread(target=read_terminal)
    reader.start()
    out, _ = process.communicate(timeout=600)
    reader.join(timeout=10)
    os.close(terminal)
    status = b"".join(shown).decode(errors="replace")
    assert process.returncode == 0, status[-2000:]
    assert "Loading the index" in status and "Loading the model" in status
    assert "Writing the answer" in status
    answer, sources = out.split("\nSources:\n")
    assert "6" in answer and re.search(r"\[\d+\]", answer)
    assert out.count(answer.strip()) == 1  # once, with its markers: no raw draft before it
    assert "attention-is-all-you-need" in sources


def test_an_evaluation_summary_prints_a_row_per_part_as_the_readme_does(capsys):
    from paperqa.cli import _echo_summary

    dev = {"answer_correct": 0.7222, "refusal_correct": None, "p50_s": 6.14, "n_questions": 58}
    report = {**dev, "answer_correct": 0.71, "parts": {"dev": dev}, "per_question": []}
    _echo_summary(report, as_json=False)
    assert capsys.readouterr().out.splitlines() == [
        "| part | answer_correct | refusal_correct | p50_s | n_questions |",
        "|---|---|---|---|---|",
        "| dev | 0.72 | – | 6.1 | 58 |",
        "| all | 0.71 | – | 6.1 | 58 |",
    ]


LATTICE = (  # an invented paper
    "# Lattice Memory Networks\n\n## Encoder\n\nThe encoder of the lattice memory network "
    "stacks seven gated blocks, each followed by slot shuffling at a rate of 0.15.\n"
)
BRAIDS = (  # another
    "# Braided Pooling\n\n## Results\n\nBraided pooling trains texture networks of 118 layers "
    "and reaches 4.83% error on Pebble-9K.\n"
)


@pytest.fixture
def scripted_chat(monkeypatch, tmp_path):
    """``paperqa chat --json`` args over an index of LATTICE, answered by a scripted model."""
    from scripted_model import scripted_model

    from paperqa.ingest.pipeline import ingest
    from paperqa.settings import Settings

    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "lattice.md").write_text(LATTICE)
    settings = Settings(index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")
    ingest(tmp_path / "papers", settings, progress=False)
    monkeypatch.setenv("PAPERQA_CACHE_DIR", str(settings.cache_dir))
    with scripted_model() as model:
        args = ["chat", "--json", "--backend", "openai", "--index-dir", str(settings.index_dir)]
        monkeypatch.setenv("PAPERQA_OPENAI_BASE_URL", model.url)
        monkeypatch.setattr("paperqa.cli._exit_now", lambda: sys.exit(0))
        yield model, args, tmp_path / "papers", settings


def test_ask_about_a_listed_paper_missing_from_the_index_needs_no_model(
    monkeypatch, capsys, tmp_path
):
    # the answer comes from the reading list: a cold `ask` must not load the model for it
    from index_factory import write_small_index

    write_small_index(tmp_path / "index")
    question = "What alignment method does the Zephyr paper distil?"
    args = ["--index-dir", str(tmp_path / "index"), "--model", str(tmp_path / "absent.gguf")]
    monkeypatch.setattr("paperqa.cli._exit_now", lambda: sys.exit(0))
    code, out, err = _main(monkeypatch, capsys, "ask", question, *args)
    assert code == 0, err
    assert "Zephyr: Direct Distillation of LM Alignment" in out
    assert "on the reading list but not in this index" in out
    code, _, err = _main(monkeypatch, capsys, "ask", "What is slot shuffling?", *args)
    _one_line_error(code, err, "absent.gguf")  # any other question still needs the model


def _without_a_model(monkeypatch, index) -> list[str]:
    """Arguments naming ``index`` and a model file that does not exist: an `ask` that needs the
    model fails with a one-line error."""
    monkeypatch.setattr("paperqa.cli._exit_now", lambda: sys.exit(0))
    return ["--index-dir", str(index), "--model", str(index.parent / "absent.gguf")]


def test_ask_lists_the_collection_without_the_model_and_with_no_empty_sources(
    monkeypatch, capsys, small_index
):
    args = _without_a_model(monkeypatch, small_index)
    code, out, err = _main(monkeypatch, capsys, "ask", "How many papers are in the index?", *args)
    assert code == 0, err
    assert out == (
        "The collection holds 3 papers: Document 0 (2020); Document 1 (2020); Document 2 (2020).\n"
    )


def test_ask_refuses_a_question_naming_what_no_paper_mentions_without_the_model(
    monkeypatch, capsys, small_index
):
    # the gates refuse it before any prompt is built: a cold `ask` must not load the model for it
    from paperqa.generate.answer import REFUSAL_TEXT

    args = _without_a_model(monkeypatch, small_index)
    code, out, err = _main(monkeypatch, capsys, "ask", "Who won the 2018 FIFA World Cup?", *args)
    assert code == 0, err
    assert out.startswith(REFUSAL_TEXT + "\n")
    code, _, err = _main(monkeypatch, capsys, "ask", "What is slot shuffling?", *args)
    _one_line_error(code, err, "absent.gguf")  # a question the gates let through needs it


def test_ask_says_it_loads_the_model_only_for_a_question_that_needs_it(
    monkeypatch, capsys, scripted_chat
):
    # the status line (on a terminal) says what `ask` is doing; a question naming what no paper
    # mentions, refused, never reaches the model, not even to read the system prompt
    from paperqa.cli import Status
    from paperqa.generate.answer import REFUSAL_TEXT

    model, _, _, settings = scripted_chat
    model.reply = "The encoder stacks seven gated blocks [1]."
    shown: list[str] = []
    monkeypatch.setattr(Status, "show", lambda status, text: shown.append(text))
    args = ["--backend", "openai", "--index-dir", str(settings.index_dir)]
    code, out, err = _main(monkeypatch, capsys, "ask", "Who won the 2018 FIFA World Cup?", *args)
    assert code == 0, err
    assert out.startswith(REFUSAL_TEXT + "\n") and not model.requests
    assert shown[:2] == ["Loading the index…", "Searching the papers…"]
    assert "Loading the model…" not in shown
    shown.clear()
    blocks = "How many gated blocks does the lattice memory network's encoder stack?"
    code, out, err = _main(monkeypatch, capsys, "ask", blocks, *args)
    assert code == 0, err
    assert out.startswith("The encoder stacks seven gated blocks [1].\n")
    assert shown[:3] == ["Loading the index…", "Loading the model…", "Searching the papers…"]
    # --json names the model that wrote an answer, and none for a refusal no model wrote
    for question, writer in (("Who won the 2018 FIFA World Cup?", None), (blocks, "openai")):
        code, out, err = _main(monkeypatch, capsys, "ask", question, "--json", *args)
        assert code == 0, err
        reply = json.loads(out)
        assert reply["backend"] == writer and (reply["model"] is None) == (writer is None)


def test_chat_json_gives_a_line_for_each_question_even_one_refused(
    monkeypatch, capsys, scripted_chat
):
    # A script pairs each line it pipes in with a line out: an error must not shift the pairs.
    import io

    model, args, _, _ = scripted_chat
    model.reply = "The encoder stacks seven gated blocks [1]."
    blocks = "How many gated blocks does the lattice memory network's encoder stack?"
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{blocks}\n{'x' * 3000}\n{blocks}\n"))
    code, out, err = _main(monkeypatch, capsys, *args)
    assert code == 0, err
    first, refused, third = (json.loads(line) for line in out.splitlines())
    assert first["answer"] == third["answer"] == "The encoder stacks seven gated blocks [1]."
    assert refused == {
        "question": "x" * 3000,
        "error": "the question is 3,000 characters; the limit is 2,000",
    }
    assert "the question is 3,000 characters" in err  # still said to a person, too


def test_chat_answers_from_an_index_rebuilt_while_it_runs(monkeypatch, capsys, scripted_chat):
    # as the app, the API and the MCP server do: the user ingests a paper mid-chat
    import io

    from paperqa.ingest.pipeline import ingest

    model, args, papers, settings = scripted_chat
    model.reply = "Braided pooling networks have 118 layers [1]."
    depth = "How many layers do braided pooling networks have?"

    class Questions(io.StringIO):
        def readline(self, *size: int) -> str:
            line = super().readline(*size)
            if line.startswith("Again:"):  # the second question comes after a new ingest
                (papers / "braids.md").write_text(BRAIDS)
                ingest(papers, settings, progress=False)
            return line

    monkeypatch.setattr(sys, "stdin", Questions(f"{depth}\nAgain: {depth}\n"))
    code, out, err = _main(monkeypatch, capsys, *args)
    assert code == 0, err
    before, after = (json.loads(line) for line in out.splitlines())
    assert before["refused"] and not before["citations"]  # 118 is in no passage of lattice
    assert not after["refused"] and [c["doc"] for c in after["citations"]] == ["braids"]
