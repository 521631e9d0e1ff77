"""The language server, over real JSON-RPC on stdio: diagnostics as you type."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import threading
from typing import Any

import pytest
from usage_rows import TARIFFS

from tariff.dsl.language_server import document_diagnostics


class Client:
    """Just enough of an LSP client: framed JSON-RPC over a child process's pipes."""

    def __init__(self, root):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tariff.engine.cli", "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=root,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            assert length is not None, "every message has a Content-Length"
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message):
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        stdin.flush()

    def wait_for(self, predicate, timeout=30):
        while True:
            message = self.messages.get(timeout=timeout)
            if predicate(message):
                return message

    def close(self):
        self.send({"id": 99, "method": "shutdown"})
        self.wait_for(lambda m: m.get("id") == 99)
        self.send({"method": "exit"})
        self.process.wait(timeout=10)


@pytest.fixture
def workspace(tmp_path):
    shutil.copytree(TARIFFS, tmp_path / "tariffs", ignore=shutil.ignore_patterns("tests"))
    return tmp_path


def test_diagnostics_are_published_as_the_document_changes(workspace):
    client = Client(workspace)
    uri = (workspace / "tariffs" / "growth.tariff").as_uri()
    try:
        client.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": workspace.as_uri(), "capabilities": {}},
            }
        )
        client.wait_for(lambda m: m.get("id") == 1)
        client.send({"method": "initialized", "params": {}})
        broken = (
            (workspace / "tariffs" / "growth.tariff")
            .read_text()
            .replace("sheet carrier", "sheet carier")
        )
        client.send(
            {
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {
                        "uri": uri,
                        "languageId": "tariff",
                        "version": 1,
                        "text": broken,
                    }
                },
            }
        )
        published = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        (diagnostic,) = published["params"]["diagnostics"]
        assert diagnostic["code"] == "T102"
        assert diagnostic["message"] == "unknown sheet 'carier' (did you mean 'carrier'?)"
        assert diagnostic["range"]["start"] == {"line": 10, "character": 23}
        assert diagnostic["severity"] == 1

        fixed = broken.replace("sheet carier", "sheet carrier")
        client.send(
            {
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": uri, "version": 2},
                    "contentChanges": [{"text": fixed}],
                },
            }
        )
        published = client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        assert published["params"]["diagnostics"] == []
    finally:
        client.close()


def test_an_order_form_is_checked_against_the_workspace_catalogue(workspace):
    form = workspace / "order-forms" / "acme.tariff"
    form.parent.mkdir()
    text = 'order form "ACC-1" {\n  package profesional\n}\n'

    (problem,) = document_diagnostics(text, form, workspace)

    assert (problem.code, problem.span.line, problem.hint) == (
        "T102",
        2,
        "did you mean 'professional'?",
    )
    assert document_diagnostics(text.replace("profesional", "professional"), form, workspace) == []


def test_a_syntax_error_is_a_diagnostic_too(workspace):
    (problem,) = document_diagnostics(
        "package p {", workspace / "tariffs" / "new.tariff", workspace
    )
    assert problem.code == "T001"


def test_unchanged_files_are_not_parsed_again(workspace):
    from tariff.dsl.ast import OrderForm
    from tariff.dsl.language_server import workspace as documents

    form = workspace / "order-forms" / "acme.tariff"
    form.parent.mkdir()
    text = 'order form "ACC-1" {\n  package professional\n}\n'
    documents.load_document(text, form, workspace)
    before = documents._parsed.cache_info()
    loaded = documents.load_document(text, form, workspace)
    after = documents._parsed.cache_info()
    files = len(loaded.catalogue.files)
    assert files > 5
    assert (after.hits - before.hits, after.misses - before.misses) == (files, 0)
    changed = documents.load_document(text.replace("ACC-1", "ACC-2"), form, workspace)
    assert documents._parsed.cache_info().misses == after.misses + 1
    (definition,) = changed.file.definitions
    assert isinstance(definition, OrderForm) and definition.account.value == "ACC-2"
