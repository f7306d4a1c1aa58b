"""An index's settings file: reading, writing, checking, labels, and following changes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from arsearch import Document, Index
from arsearch.errors import SettingsError
from arsearch.index.settings import (
    Labels,
    Settings,
    SettingsFile,
    load_settings,
    read_settings,
    set_setting,
    settings_path,
    unset_setting,
)


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    path = tmp_path / "index"
    with Index.create(path) as index:
        index.add(
            [
                Document("n1", "خبر محلي", "نص الخبر المحلي الأول", category="localNews"),
                Document("n2", "خبر محلي", "نص الخبر المحلي الثاني", category="localNews"),
                Document("s1", "مباراة", "نص عن مباراة الأمس", category="sport"),
            ]
        )
    return path


def test_no_file_means_every_default(index_dir: Path) -> None:
    settings = read_settings(index_dir)
    assert settings == Settings(root=index_dir)
    assert list(settings.items()) == []
    assert settings.api_key_path() is None


def test_set_writes_a_file_that_reads_back(index_dir: Path) -> None:
    set_setting(index_dir, "labels.category.localNews", ["محليات"])
    set_setting(index_dir, "serve.port", ["8080"])
    set_setting(index_dir, "serve.cors_origins", ["https://a.example", "https://b.example/"])
    settings = read_settings(index_dir)
    assert settings.port == 8080
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert list(settings.items()) == [
        ("labels.category.localNews", "محليات"),
        ("serve.port", 8080),
        ("serve.cors_origins", ["https://a.example", "https://b.example"]),
    ]
    text = settings_path(index_dir).read_text(encoding="utf-8")
    assert '[labels.category]\nlocalNews = "محليات"\n' in text
    assert "[serve]\nport = 8080\n" in text


def test_unset_removes_one_setting(index_dir: Path) -> None:
    set_setting(index_dir, "serve.host", ["0.0.0.0"])
    set_setting(index_dir, "labels.category.sport", ["رياضة"])
    assert unset_setting(index_dir, "serve.host") is True
    assert unset_setting(index_dir, "serve.host") is False
    assert unset_setting(index_dir, "labels.category.sport") is True
    assert unset_setting(index_dir, "labels.category.nothing") is False
    assert list(read_settings(index_dir).items()) == []


@pytest.mark.parametrize(
    "key, values, message",
    [
        (
            "serve.prot",
            ["80"],
            "Unknown setting 'serve.prot'. Settings are: serve.host, serve.port, serve.workers, "
            "serve.api_key_file, serve.cors_origins, serve.base_url, labels.<field>.<value>.",
        ),
        (
            "serve.port",
            ["eighty"],
            "serve.port must be a whole number from 0 to 65535, not 'eighty'.",
        ),
        ("serve.port", ["70000"], "serve.port must be a whole number from 0 to 65535, not 70000."),
        ("serve.port", ["1", "2"], "serve.port takes one value, not 2."),
        ("serve.workers", ["0"], "serve.workers must be a whole number from 1 to 64, not 0."),
        ("serve.host", [" "], "serve.host must be a non-empty string, not ' '."),
        (
            "serve.base_url",
            ["search.example.org"],
            "serve.base_url must be an http:// or https:// address without a query, not "
            "'search.example.org'.",
        ),
        (
            "serve.cors_origins",
            ["example.org"],
            "serve.cors_origins: 'example.org' is not a web origin: write scheme://host[:port] "
            "(https://example.org) without a path, or *.",
        ),
        (
            "labels.category",
            ["x"],
            "A label setting is labels.<field>.<value>, for example labels.category.localNews, "
            "not 'labels.category'.",
        ),
        (
            "labels.colour.red",
            ["أحمر"],
            "labels.colour.red: the index has no keyword field 'colour' to label; fields with "
            "values are: category, source.",
        ),
    ],
    ids=[
        "unknown",
        "port-word",
        "port-range",
        "two-ports",
        "workers",
        "blank",
        "url",
        "origin",
        "label-key",
        "label-field",
    ],
)
def test_bad_settings_are_refused_with_the_fix(
    index_dir: Path, key: str, values: list[str], message: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        set_setting(index_dir, key, values)
    assert str(caught.value) == message
    assert not settings_path(index_dir).exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (
            "[serve\nport = 1\n",
            "is not valid TOML (Expected ']' at the end of a table declaration "
            "(at line 1, column 7)); fix it, or remove it.",
        ),
        ("[servers]\nport = 1\n", ": unknown section 'servers' (sections: labels, serve)."),
        ("[serve]\nport = 'x'\n", ": serve.port must be a whole number from 0 to 65535, not 'x'."),
        ("labels = 3\n", ": labels must be a table of fields."),
    ],
    ids=["toml", "section", "value", "labels"],
)
def test_a_bad_settings_file_names_itself(index_dir: Path, content: str, message: str) -> None:
    path = settings_path(index_dir)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        read_settings(index_dir)
    prefix = f"The settings file '{path}'"
    assert str(caught.value) == prefix + (" " if message[0] != ":" else "") + message


def test_load_merges_a_file_into_the_settings(index_dir: Path, tmp_path: Path) -> None:
    set_setting(index_dir, "labels.category.sport", ["رياضة"])
    set_setting(index_dir, "serve.port", ["9000"])
    source = tmp_path / "more.toml"
    source.write_text(
        '[labels.category]\nlocalNews = "محليات"\n[serve]\nhost = "::1"\n', encoding="utf-8"
    )
    settings = load_settings(index_dir, source)
    assert settings.labels.to_dict() == {"category": {"sport": "رياضة", "localNews": "محليات"}}
    assert (settings.host, settings.port) == ("::1", 9000)
    with pytest.raises(SettingsError) as caught:
        load_settings(index_dir, tmp_path / "missing.toml")
    assert str(caught.value) == f"No settings file at '{tmp_path / 'missing.toml'}'."


def test_the_key_file_is_relative_to_the_index(index_dir: Path) -> None:
    set_setting(index_dir, "serve.api_key_file", ["secrets/keys"])
    assert read_settings(index_dir).api_key_path() == index_dir / "secrets/keys"
    set_setting(index_dir, "serve.api_key_file", ["/etc/arsearch/keys"])
    assert read_settings(index_dir).api_key_path() == Path("/etc/arsearch/keys")


@pytest.mark.parametrize(
    "raw, expected",
    [("sport", ("sport",)), ("رياضة", ("رياضة", "sport")), ("رياضه", ("رياضه", "sport"))],
    ids=["key", "label", "label-normalized"],
)
def test_labels_expand_a_filter_to_the_values_they_label(
    raw: str, expected: tuple[str, ...]
) -> None:
    from arsearch.query import Filters

    labels = Labels({"category": {"sport": "رياضة"}})
    assert labels.expand(Filters({"category": (raw,)})).values == {"category": expected}


def test_a_search_by_label_finds_the_labelled_documents(index_dir: Path) -> None:
    with Index.open(index_dir) as index:
        assert index.search("نص", filters={"category": "محليات"}).total == 0
        set_setting(index_dir, "labels.category.localNews", ["محليات"])
        index.refresh()
        time.sleep(0.6)  # the settings file is looked at every half second
        assert index.settings.labels.label("category", "localNews") == "محليات"
        by_label = index.search("نص", filters={"category": "محليّات"})
        in_query = index.search("نص category:محليات")
        by_key = index.search("نص", filters={"category": "localNews"})
    assert by_label.total == in_query.total == by_key.total == 2


def test_choosing_a_category_keeps_the_counts_of_the_others(index_dir: Path) -> None:
    with Index.open(index_dir) as index:
        chosen = index.search("نص", filters={"category": "sport"})
    assert chosen.total == 1
    assert dict(chosen.facets["category"]) == {"localNews": 2, "sport": 1}


def test_a_followed_file_that_breaks_keeps_the_last_good_settings(index_dir: Path) -> None:
    set_setting(index_dir, "serve.port", ["8080"])
    followed = SettingsFile(index_dir, interval=0)
    assert followed.current().port == 8080
    settings_path(index_dir).write_text("[serve\n", encoding="utf-8")
    assert followed.current().port == 8080
    assert followed.error is not None and "is not valid TOML" in str(followed.error)
    settings_path(index_dir).write_text("[serve]\nport = 8081\n", encoding="utf-8")
    assert followed.current().port == 8081
    assert followed.error is None


def test_a_folder_with_only_settings_can_still_become_an_index(tmp_path: Path) -> None:
    folder = tmp_path / "later"
    set_setting(folder, "labels.category.sport", ["رياضة"])
    with Index.create(folder) as index:
        index.add(Document("s1", "", "نص", category="sport"))
    assert read_settings(folder).labels.label("category", "sport") == "رياضة"
