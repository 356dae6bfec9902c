"""Settings: environment parsing, TOML layering, errors that name the variable, no side effects at import."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_environment_values_are_parsed_into_field_types(tmp_path):
    s = Settings.from_env({
        "BRIEFING_DATA_DIR": str(tmp_path / "d"),
        "BRIEFING_TOP_K": "9",
        "BRIEFING_CHROMA_PORT": "8123",
        "BRIEFING_MAX_FILE_MB": "0.5",
        "BRIEFING_OPEN_ACCESS": "yes",
        "BRIEFING_CHROMA_HOST": "127.0.0.1",
        "BRIEFING_LLM": "none",
    })
    assert s.data_dir == tmp_path / "d" and isinstance(s.data_dir, Path)
    assert s.top_k == 9 and s.chroma_port == 8123
    assert s.max_file_mb == 0.5 and s.max_file_bytes == 512 * 1024
    assert s.open_access is True
    assert s.chroma_host == "127.0.0.1"
    assert s.llm == "none"
    assert s.catalog_path == tmp_path / "d" / "catalog.sqlite3"
    assert s.chroma_dir == tmp_path / "d" / "chroma"


@pytest.mark.parametrize("text,expected", [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False), ("", False)])
def test_booleans(text, expected):
    assert Settings.from_env({"BRIEFING_OPEN_ACCESS": text}).open_access is expected


def test_empty_optional_values_become_none():
    s = Settings.from_env({"BRIEFING_CHROMA_HOST": "", "BRIEFING_OPENAI_BASE_URL": "", "BRIEFING_AUTH_USER": ""})
    assert s.chroma_host is None and s.openai_base_url is None and s.auth_user is None


def test_data_dir_expands_home_and_defaults_under_xdg_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Settings.from_env({"BRIEFING_DATA_DIR": "~/briefing"}).data_dir == tmp_path / "home" / "briefing"
    assert Settings.from_env({"XDG_DATA_HOME": str(tmp_path / "xdg")}).data_dir == tmp_path / "xdg" / "briefing-assistant"
    assert Settings.from_env({}).data_dir == tmp_path / "home" / ".local" / "share" / "briefing-assistant"


def test_user_environment_does_not_leak_into_an_explicit_env(monkeypatch, tmp_path):
    monkeypatch.setenv("BRIEFING_TOP_K", "17")
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(tmp_path / "leaked"))
    s = Settings.from_env({}, data_dir=tmp_path / "mine")
    assert s.top_k == Settings.__dataclass_fields__["top_k"].default
    assert s.data_dir == tmp_path / "mine"
    # With no mapping given, the process environment is read.
    assert Settings.from_env().top_k == 17


def test_toml_file_layers_under_env_and_overrides(tmp_path):
    config = tmp_path / "briefing.toml"
    config.write_text('top_k = 3\nchunk_tokens = 128\nllm = "none"\ncollection = "from_file"\ndata_dir = "%s"\n'
                      % (tmp_path / "from-file"), encoding="utf-8")
    env = {"BRIEFING_CONFIG": str(config)}
    s = Settings.from_env(env)
    assert (s.top_k, s.chunk_tokens, s.llm, s.collection) == (3, 128, "none", "from_file")
    assert s.data_dir == tmp_path / "from-file"

    env["BRIEFING_TOP_K"] = "5"
    env["BRIEFING_COLLECTION"] = "from_env"
    s = Settings.from_env(env)
    assert (s.top_k, s.chunk_tokens, s.collection) == (5, 128, "from_env"), "env beats the file"

    s = Settings.from_env(env, top_k=7, collection=None)
    assert (s.top_k, s.chunk_tokens, s.collection) == (7, 128, "from_env"), "overrides beat env; None overrides nothing"


@pytest.mark.parametrize(
    "env,variable",
    [
        ({"BRIEFING_TOP_K": "many"}, "BRIEFING_TOP_K"),
        ({"BRIEFING_TOP_K": "0"}, "BRIEFING_TOP_K"),
        ({"BRIEFING_CHROMA_PORT": "80a"}, "BRIEFING_CHROMA_PORT"),
        ({"BRIEFING_MAX_FILE_MB": "lots"}, "BRIEFING_MAX_FILE_MB"),
        ({"BRIEFING_MAX_FILE_MB": "-1"}, "BRIEFING_MAX_FILE_MB"),
        ({"BRIEFING_OPEN_ACCESS": "maybe"}, "BRIEFING_OPEN_ACCESS"),
        ({"BRIEFING_LLM": "gpt5"}, "BRIEFING_LLM"),
        ({"BRIEFING_EMBED_DTYPE": "int4"}, "BRIEFING_EMBED_DTYPE"),
        ({"BRIEFING_CHUNK_TOKENS": "1000"}, "BRIEFING_CHUNK_TOKENS"),
        ({"BRIEFING_CHUNK_OVERLAP_TOKENS": "150"}, "BRIEFING_CHUNK_OVERLAP_TOKENS"),
        ({"BRIEFING_EVIDENCE_TOKENS": "10"}, "BRIEFING_EVIDENCE_TOKENS"),
        ({"BRIEFING_ANSWER_CHECK": "perhaps"}, "BRIEFING_ANSWER_CHECK"),
    ],
)
def test_bad_values_name_the_variable(env, variable):
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env)
    assert variable in str(info.value)
    assert list(env.values())[0] in str(info.value)


def test_bad_config_files_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="BRIEFING_CONFIG.*does not exist"):
        Settings.from_env({"BRIEFING_CONFIG": str(tmp_path / "missing.toml")})
    broken = tmp_path / "broken.toml"
    broken.write_text("top_k = = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Settings.from_env({"BRIEFING_CONFIG": str(broken)})
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("topk = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting.*topk"):
        Settings.from_env({"BRIEFING_CONFIG": str(unknown)})
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('top_k = "three"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="BRIEFING_TOP_K"):
        Settings.from_env({"BRIEFING_CONFIG": str(wrong)})


def test_settings_are_frozen(tmp_path):
    s = Settings.from_env({}, data_dir=tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.top_k = 3  # type: ignore[misc]
    assert s.replace(top_k=3).top_k == 3 and s.top_k != 3
    with pytest.raises(ConfigError):
        s.replace(top_k=0)


IMPORT_EVERYTHING = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    import assistant
    skipped = []
    for mod in pkgutil.walk_packages(assistant.__path__, "assistant."):
        try:
            importlib.import_module(mod.name)
        except ImportError as exc:  # an optional dependency that is not installed
            skipped.append(f"{mod.name}: {exc}")
    from assistant.config import Settings
    from assistant.embed import HashEmbedder
    from assistant.pipeline import Assistant
    settings = Settings.from_env()
    Assistant(settings, embedder=HashEmbedder())  # constructing opens nothing either
    print("imported", len(sys.modules), "skipped", skipped)
    """
)


def test_importing_the_package_creates_no_folders(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFING_", "XDG_", "HF_", "GRADIO_", "MPLCONFIG"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_CONFIG_HOME=str(home / "config"), PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "imported" in done.stdout
    assert list(home.rglob("*")) == [], sorted(str(p) for p in home.rglob("*"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]
