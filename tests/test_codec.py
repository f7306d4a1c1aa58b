"""The stored form of documents: the size of the trained zstd dictionary."""

from __future__ import annotations

import random

from arsearch.index.codec import DICTIONARY_SIZE, DocumentCodec, train_dictionary
from arsearch.models import Document

_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def _documents(count: int, words: int) -> list[Document]:
    """``count`` articles of ``words`` words drawn from a made-up vocabulary of 5,000."""
    rng = random.Random(7)
    vocabulary = [
        "".join(rng.choice(_LETTERS) for _ in range(rng.randint(2, 8))) for _ in range(5000)
    ]
    return [
        Document(
            f"d{n}",
            " ".join(rng.choices(vocabulary, k=6)),
            " ".join(rng.choices(vocabulary, k=words)),
        )
        for n in range(count)
    ]


def test_a_small_sample_trains_a_small_dictionary() -> None:
    documents = _documents(300, 300)  # about 0.6 MB packed
    dictionary = train_dictionary(documents)
    assert dictionary is not None
    assert len(dictionary) == DICTIONARY_SIZE
    codec = DocumentCodec(dictionary)
    assert codec.unpack(codec.pack(documents[0])) == documents[0]


def test_too_few_documents_train_no_dictionary() -> None:
    assert train_dictionary(_documents(199, 50)) is None
