"""The Word2Vec corpus clean-up, cache, subsampling and analogy filtering (impl/experiments/corpus.py)."""

from __future__ import annotations

import bz2
from pathlib import Path

import numpy as np
import pytest

from impl.experiments.corpus import (clean_wikitext, load_analogies, load_corpus, parse_analogies,
                                     subsample_keep_prob, wiki_pages)

_PAGE = """The '''[[Dog|dogs]]''' of [[Paris]] bark.{{Infobox|a={{nested|b}}|c}}
Born in 1984 (see [http://example.org/x the site]) or https://bad.example/url.
<ref name="r">{{cite web|title=Hidden}}Hidden ref text</ref><!-- a hidden comment -->
{| class="wikitable"
| table cell
|}
[[File:Dog.jpg|thumb|A [[puppy]] sleeps]] [[Category:Canines|x]] [[de:Hund]] [[wikt:bark|bark]]
Caf&eacute; AT&amp;T"""


def test_clean_wikitext_is_text8_style() -> None:
    toks = clean_wikitext(_PAGE)
    assert toks[:6] == ["the", "dogs", "of", "paris", "bark", "born"]
    assert "one nine eight four" in " ".join(toks)  # digits spelled out as in text8
    assert {"site", "puppy", "sleeps", "canines"} <= set(toks)  # link text, captions, categories kept
    hidden = {"infobox", "nested", "hidden", "comment", "table", "cell", "http", "example", "bad", "org",
              "hund", "wikt", "thumb", "jpg"}
    assert not hidden & set(toks), hidden & set(toks)
    assert all(t.isalpha() and t.islower() and t.isascii() for t in toks)


def _write_dump(path: Path, pages: list[str]) -> Path:
    body = "".join(f"<page><title>t{i}</title><text xml:space=\"preserve\">{p}</text></page>"
                   for i, p in enumerate(pages))
    with bz2.open(path, "wt", encoding="utf-8") as fh:
        fh.write(f"<mediawiki>{body}</mediawiki>")
    return path


def test_wiki_pages_skip_redirects_and_unescape(tmp_path: Path) -> None:
    dump = _write_dump(tmp_path / "d.xml.bz2", ["#REDIRECT [[Elsewhere]]", "a &lt;ref&gt;x&lt;/ref&gt; b c"])
    pages = list(wiki_pages(dump))
    assert pages == ["a <ref>x</ref> b c"]
    assert clean_wikitext(pages[0]) == ["a", "b", "c"]


def test_load_corpus_ranks_and_caches_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TP4_CACHE_DIR", str(tmp_path / "cache"))
    dump = _write_dump(tmp_path / "d.xml.bz2", ["b a c a b a", "d c b"])
    c = load_corpus(dump)
    assert c.words == ("a", "b", "c", "d") and c.counts.tolist() == [3, 3, 2, 1]  # ties alphabetical
    assert [c.words[i] for i in c.tokens] == "b a c a b a d c b".split()
    files = list((tmp_path / "cache").iterdir())
    assert len(files) == 1 and files[0].suffix == ".npz"  # no temporary file left behind
    again = load_corpus(dump)  # read back from the cache
    assert again.words == c.words and np.array_equal(again.tokens, c.tokens)
    assert c.restrict(4, prefix=4).tolist() == [1, 0, 2, 0]
    assert c.restrict(4).size == 9 and load_corpus(dump).tokens.dtype == np.int32


def test_restrict_drops_out_of_vocabulary_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TP4_CACHE_DIR", str(tmp_path))
    c = load_corpus(_write_dump(tmp_path / "d.xml.bz2", ["a a a a b b b c c d e f"]))
    assert c.restrict(4).tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 2, 3]
    for bad in (3, 7, True, 4.0):
        with pytest.raises(ValueError, match="vocabulary size"):
            c.restrict(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="prefix"):
        c.restrict(4, prefix=0)
    with pytest.raises(ValueError, match="not found"):
        load_corpus(tmp_path / "missing.bz2")


def test_subsample_keep_prob_is_word2vecs_formula() -> None:
    counts = np.array([1_000_000, 10_000, 10])
    t, total = 1e-4, counts.sum()
    p = subsample_keep_prob(counts, t)
    f = counts / total
    np.testing.assert_allclose(p[:2], np.sqrt(t / f[:2]) + t / f[:2], rtol=1e-12)
    assert p[2] == 1.0 and p[0] < 0.02  # rare words always kept, very frequent ones mostly dropped
    assert np.all(subsample_keep_prob(counts, 0.0) == 1.0)
    with pytest.raises(ValueError, match="threshold"):
        subsample_keep_prob(counts, -1e-4)


def test_parse_analogies_filters_to_vocabulary() -> None:
    lines = [": capital-common-countries", "Athens Greece Baghdad Iraq", "Athens Greece Paris France",
             "", ": family", "boy girl brother sister"]
    words = ["athens", "greece", "baghdad", "iraq", "boy", "girl", "brother", "sister", "france"]
    q = parse_analogies(lines, words)
    assert q.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]  # "paris" is out of vocabulary
    assert parse_analogies(lines, []).shape == (0, 4)
    with pytest.raises(ValueError, match="four words"):
        parse_analogies(["a b c"], words)


def test_shipped_corpus_and_questions() -> None:
    """The gensim test-data excerpt: ~0.5M tokens after clean-up (measured 506,565), and the top
    2000 words keep 388 of the 19,544 Google questions (planning, with another clean-up: 360)."""
    c = load_corpus()
    assert 450_000 < c.tokens.size < 520_000
    assert c.words[:3] == ("the", "of", "and")
    q = load_analogies(c.words[:2000])
    assert 360 <= q.shape[0] <= 410
    assert np.all(q < 2000) and load_analogies(c.words).shape[0] > q.shape[0]
