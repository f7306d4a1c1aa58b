"""A fingerprint of the index terms and word spans of a corpus, to prove the analysis unchanged.

For each document, in input order, a SHA-256 over ``Analyzer.index_terms`` of its
title and text, ``word_spans`` and ``word_columns`` of its text; one line per
document (its id and digest) goes to ``--out``. Run it on two trees and compare::

    PYTHONPATH=/work/main/src python bench/terms.py --out /tmp/terms-main.txt
    PYTHONPATH=$PWD/src python bench/terms.py --out /tmp/terms-new.txt
    cmp /tmp/terms-main.txt /tmp/terms-new.txt

One analyzer reads the whole corpus, as an indexing worker does, so its caches
fill, overflow and evict as they do in a build.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import time
from pathlib import Path

from anchors import DEFAULT_CORPUS
from arsearch.analysis import Analyzer
from arsearch.documents import read_documents


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", required=True, help="one line per document: id and digest")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--repeat", type=int, default=1, help="passes over the corpus")
    args = parser.parse_args(argv)

    analyzer = Analyzer()
    whole = hashlib.sha256()
    started = time.process_time()
    with Path(args.out).open("w", encoding="utf-8") as out:
        for _ in range(args.repeat):
            documents = read_documents([args.corpus])
            for document in itertools.islice(documents, args.limit):
                digest = hashlib.sha256()
                for part in (
                    *analyzer.index_terms(document.title),
                    *analyzer.index_terms(document.text),
                    repr(analyzer.word_spans(document.text)),
                    repr(analyzer.word_columns(document.text)),
                ):
                    digest.update(part.encode("utf-8", "surrogatepass"))
                    digest.update(b"\0")
                line = f"{document.id}\t{digest.hexdigest()}\n"
                whole.update(line.encode("utf-8"))
                out.write(line)
    print(f"{whole.hexdigest()} in {time.process_time() - started:.1f} CPU-s")


if __name__ == "__main__":
    main()
