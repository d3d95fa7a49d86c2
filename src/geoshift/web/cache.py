"""A small thread-safe LRU of encoded answers: stored runs never change, profiles depend only on the World, and an
evidence page is fixed once its check job is done. JSON answers are kept twice, as bytes and gzip-compressed
(a stored run is ~0.5 MB of labelled rows and ~10x smaller compressed), so a hit costs neither encoding nor
compression."""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response


class Cache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: bytes) -> bytes:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


@dataclass(frozen=True)
class Answer:
    """A JSON answer, encoded once and compressed once."""

    body: bytes
    gzipped: bytes

    @classmethod
    def of(cls, body: bytes) -> Answer:
        return cls(body, gzip.compress(body, compresslevel=6, mtime=0))

    def response(self, request: Request) -> Response:
        if "gzip" in request.headers.get("accept-encoding", "") and len(self.body) > 1024:
            return Response(self.gzipped, media_type="application/json",
                            headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
        return Response(self.body, media_type="application/json", headers={"Vary": "Accept-Encoding"})


class AnswerCache:
    """The LRU for JSON answers (see ``Answer``)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Answer | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, body: bytes) -> Answer:
        answer = Answer.of(body)
        with self._lock:
            self._items[key] = answer
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return answer
