"""The Word2Vec corpus and analogy questions in miniature (Section 9.3, "Dataset"; App. D.2).

The paper trains on text8 (Wikipedia cleaned by Mahoney's ``wikifil.pl``: lowercase a–z words,
digits spelled out, markup stripped). Here the text is the shortened Wikipedia dump that ships in
gensim's wheel (its test data only; none of gensim's code is used), cleaned the same way
(~0.5M tokens), and the questions are the Google analogy set (``questions-words.txt``) from the
same folder, restricted to the top-K vocabulary. The cleaned corpus is cached as an ``.npz``
(words by frequency rank, counts, token ranks) under :func:`impl.measurement.default_cache_dir`
(``$TP4_CACHE_DIR``, else the platform cache directory), written
atomically (temporary file + ``os.replace``).
"""

from __future__ import annotations

import bz2
import hashlib
import html
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from impl.atomic import write_atomic
from impl.measurement.cache import default_cache_dir

__all__ = ["Corpus", "clean_wikitext", "wiki_pages", "load_corpus", "subsample_keep_prob",
           "parse_analogies", "load_analogies", "WIKI_FILE", "QUESTIONS_FILE"]

WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
QUESTIONS_FILE = "questions-words.txt"
_CLEAN_VERSION = 2  # bump when clean_wikitext changes: it is part of the cache key

_DIGITS = {d: f" {w} " for d, w in zip("0123456789", "zero one two three four five six seven eight nine".split())}
_NESTED = [re.compile(r"\{\{[^{}]*\}\}"), re.compile(r"\{\|[^{}]*?\|\}")]
_SUBS = [(re.compile(r"<!--.*?-->", re.S), " "),
         (re.compile(r"<ref[^>]*/>|<ref[^>]*>.*?</ref>", re.S | re.I), " "),
         (re.compile(r"\[\[(?:[^|:\[\]]*\|)?([^:\[\]]*)\]\]"), r" \1 "),  # [[target|text]] -> text
         (re.compile(r"\[\[(?:image|file):[^\[\]]*?([^|\[\]]*)\]\]", re.I), r" \1 "),  # caption
         (re.compile(r"\[\[category:([^|\]]*)[^\]]*\]\]", re.I), r" \1 "),
         (re.compile(r"\[\[[^\[\]]*\]\]"), " "),  # interlanguage, wikt: and other namespaced links
         (re.compile(r"\[(?:https?|ftp)://\S*\s*([^\]]*)\]"), r" \1 "),
         (re.compile(r"(?:https?|ftp)://\S*"), " "),
         (re.compile(r"<[^>]*>"), " "),
         (re.compile(r"&[a-z]+;|&#\d+;"), " ")]
_PAGE = re.compile(r"<text[^>]*>(.*?)</text>", re.S)


def clean_wikitext(markup: str) -> list[str]:
    """Tokens of one page's wikitext, text8-style: drop templates, tables, references, comments,
    interlanguage links and URLs, keep link text, image captions and category names, spell out digits, lowercase,
    and split on anything that is not a–z."""
    text = html.unescape(markup)
    for pattern in _NESTED:  # innermost first, until nothing nested is left
        while True:
            text, n = pattern.subn(" ", text)
            if n == 0:
                break
    for pattern, repl in _SUBS:
        text = pattern.sub(repl, text)
    text = "".join(_DIGITS.get(ch, ch) for ch in text.lower())
    return re.findall(r"[a-z]+", text)


def wiki_pages(path: str | os.PathLike[str]) -> Iterator[str]:
    """The wikitext of each non-redirect page of a (bz2) MediaWiki XML dump, entities still escaped."""
    opener = bz2.open if str(path).endswith(".bz2") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        xml = fh.read()
    for m in _PAGE.finditer(xml):
        body = html.unescape(m.group(1))  # the XML escaping; wikitext entities are handled later
        if not body.lstrip().upper().startswith("#REDIRECT"):
            yield body


@dataclass(frozen=True, eq=False)
class Corpus:
    """A cleaned corpus: ``words`` by descending count (ties alphabetical), their ``counts`` and the
    token stream ``tokens`` as frequency ranks (int32), so the top-K vocabulary is ``rank < K``."""

    words: tuple[str, ...]
    counts: np.ndarray
    tokens: np.ndarray

    def restrict(self, k: int, prefix: int | None = None) -> np.ndarray:
        """The stream of the first ``prefix`` tokens (all if None) with words outside the top ``k``
        dropped (as word2vec drops out-of-vocabulary words)."""
        if isinstance(k, bool) or not isinstance(k, int) or not 4 <= k <= len(self.words):
            raise ValueError(f"vocabulary size must be an integer in [4, {len(self.words)}], got {k!r}")
        if prefix is not None and (isinstance(prefix, bool) or not isinstance(prefix, int) or prefix < 1):
            raise ValueError(f"prefix must be a positive integer or None, got {prefix!r}")
        stream = self.tokens if prefix is None else self.tokens[:prefix]
        return stream[stream < k]


def _corpus_from_tokens(tokens: Iterable[str]) -> Corpus:
    toks = list(tokens)
    ranked = sorted(Counter(toks).items(), key=lambda wc: (-wc[1], wc[0]))
    rank = {w: i for i, (w, _) in enumerate(ranked)}
    return Corpus(tuple(w for w, _ in ranked), np.array([c for _, c in ranked], dtype=np.int64),
                  np.fromiter((rank[w] for w in toks), dtype=np.int32, count=len(toks)))


def _cache_dir() -> Path:
    return default_cache_dir()


def load_corpus(path: str | os.PathLike[str] | None = None) -> Corpus:
    """The cleaned Wikipedia excerpt (gensim's test data by default), cached by (file name, size,
    clean-up version) as an ``.npz``; the cache is written atomically."""
    if path is None:
        from gensim.test.utils import datapath  # only to locate the test-data file
        path = datapath(WIKI_FILE)
    src = Path(path)
    if not src.is_file():
        raise ValueError(f"corpus file not found: {src}")
    tag = hashlib.sha256(f"{src.name}|{src.stat().st_size}|{_CLEAN_VERSION}".encode()).hexdigest()[:16]
    cache = _cache_dir() / f"w2v-corpus-{tag}.npz"
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as z:
            return Corpus(tuple(str(w) for w in z["words"]), z["counts"], z["tokens"])
    corpus = _corpus_from_tokens(tok for page in wiki_pages(src) for tok in clean_wikitext(page))
    cache.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(cache, lambda fh: np.savez(fh, words=np.array(corpus.words), counts=corpus.counts,
                                            tokens=corpus.tokens))
    return corpus


def subsample_keep_prob(counts: np.ndarray, threshold: float) -> np.ndarray:
    """word2vec's frequent-word subsampling (Mikolov et al. 2013, as in its C code): a word of
    relative frequency f is kept with probability min(1, √(t/f) + t/f); t = 0 keeps everything."""
    c = np.asarray(counts, dtype=np.float64)
    if threshold < 0 or not np.isfinite(threshold):
        raise ValueError(f"subsampling threshold must be finite and >= 0, got {threshold!r}")
    if threshold == 0:
        return np.ones_like(c)
    r = threshold * c.sum() / np.maximum(c, 1.0)
    return np.minimum(1.0, np.sqrt(r) + r)


def parse_analogies(lines: Iterable[str], words: Sequence[str]) -> np.ndarray:
    """Analogy questions "a b c d" (a : b :: c : d), lowercased, whose four words are all in
    ``words``, as rank indices (Q, 4); section headers (": ...") are skipped."""
    index = {w: i for i, w in enumerate(words)}
    rows = []
    for line in lines:
        parts = line.lower().split()
        if not parts or parts[0].startswith(":"):
            continue
        if len(parts) != 4:
            raise ValueError(f"analogy line must have four words, got {line.strip()!r}")
        if all(p in index for p in parts):
            rows.append([index[p] for p in parts])
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


def load_analogies(words: Sequence[str], path: str | os.PathLike[str] | None = None) -> np.ndarray:
    """The Google analogy questions (gensim's test-data copy by default) restricted to ``words``."""
    if path is None:
        from gensim.test.utils import datapath
        path = datapath(QUESTIONS_FILE)
    if not Path(path).is_file():
        raise ValueError(f"questions file not found: {path}")
    with open(path, encoding="utf-8") as fh:
        return parse_analogies(fh, words)
