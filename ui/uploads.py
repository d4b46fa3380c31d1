"""Uploaded files: size limit, the copy under ``$RAG_HOME/uploads/``, cleanup, and names the browser may see.

Gradio writes each upload to its own temporary folder (``GRADIO_TEMP_DIR``, default
``/tmp/gradio/<sha>/<name>``). We copy it to ``$RAG_HOME/uploads/<name>``: a stable path is what
makes re-uploading an edited file *update* its article instead of adding a second copy. Then:

* a file over ``RAG_MAX_FILE_MB`` is refused before anything is copied (Gradio's ``max_file_size``
  already stops it at the door; this is the same limit for anything that gets past it);
* a file the ingest refuses is deleted from ``uploads/``, and an earlier upload of the same name,
  set aside while the new one was tried, is put back (the store still holds that version);
* Gradio's temporary copy is deleted once we are done with it, but only when it lies in Gradio's
  upload folder (a path handed in by a Python caller is theirs, never ours to delete);
* results and messages name the file as the browser named it, never by a server path.

The name is the user's (``FileData.orig_name``, what the browser's file picker said), not the name
of Gradio's copy: Gradio cuts that one at a ``/`` and strips ``<>:"|?*`!${}`` and control characters
from it (the browser sends ``"`` as ``%22``), so ``<b>bold</b> story.txt`` came out as ``b story.txt``
and ``why "now".txt`` as ``why %22now%22.txt`` in the results and the collection, not as `rag ingest`
names the same file. The copy under ``uploads/`` keeps the user's name too, with
only what a file name cannot hold replaced by ``_`` (:func:`stored_name`: path separators, control
characters, ``.``/``..``; Gradio's name when the file system refuses it, as a Windows share refuses
``<``); when it had to be changed, the results say the name it is stored under.

>>> box = Uploads(Path("/tmp/rag/uploads"), max_bytes=20 * 2**20)           # doctest: +SKIP
>>> staged, refused = box.stage(["/tmp/gradio/ab12/story.txt"])             # doctest: +SKIP
>>> box.settle(staged, report_items)                                        # doctest: +SKIP
"""

from __future__ import annotations

import errno
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.data_classes import FileData
from gradio.utils import NamedString, get_upload_folder

from rag.settings import Settings
from index.types import ItemResult
from ui.render import UPLOADS

log = logging.getLogger(__name__)

_SET_ASIDE = ".replaced"  # earlier uploads wait here while their new version is ingested
_COPY_CHUNK = 1 << 20


def max_upload_bytes(settings: Settings) -> int:
    """``RAG_MAX_FILE_MB`` in bytes (the same MB as the loader's limit)."""
    return int(settings.max_file_mb * 1024 * 1024)


def _human(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 100 * 1024 else f"{size / 1024:.1f} KB"


class TooBig(Exception):
    """The upload grew past the limit while it was copied."""


#: what a stored file name cannot hold: a path separator (either OS's), a control character (a newline would
#: split the stored source lists, ``index.db``), NUL
_UNSAFE = re.compile(r"[/\\\x00-\x1f\x7f]")
_NAME_MAX = 255  # bytes in a file name (ext4, APFS, NTFS's characters)


def stored_name(given: str | None, fallback: str) -> str:
    """The name an upload is kept under in ``uploads/``: the user's ``given`` name as it is, with path
    separators and control characters replaced by ``_`` (so it names a file in that folder and nothing
    else); ``fallback`` (Gradio's sanitised name) when nothing usable is left: an empty name, ``.`` or
    ``..``, the folder earlier versions wait in, or a name too long for the file system.

    >>> stored_name("<b>bold</b> story.txt", "b story.txt")
    '<b>bold<_b> story.txt'
    >>> stored_name("../../etc/passwd", "passwd"), stored_name("..", "file"), stored_name(None, "a.txt")
    ('.._.._etc_passwd', 'file', 'a.txt')
    """
    name = _UNSAFE.sub("_", given or "")
    if name.strip() in ("", ".", "..", _SET_ASIDE) or len(name.encode("utf-8", "surrogatepass")) > _NAME_MAX:
        return fallback
    return name


@dataclass(frozen=True)
class Staged:
    """One upload copied into ``uploads/``: ``name`` is what the browser called it (the user's file
    name, shown on the page), ``path`` the copy (its name :func:`stored_name`)."""

    name: str
    path: Path
    set_aside: Path | None  # the earlier upload of this name, restored if this one is refused

    @property
    def renamed(self) -> str | None:
        """What the results say when the copy's name is not the user's (a ``/`` it held, say), else None."""
        if self.path.name == self.name:
            return None
        return (f"“{self.name}” is stored as “{self.path.name}”, a name the server's files can have (no “/”, “\\” "
                "or control character): the collection and `rag list` name it so")


class Uploads:
    def __init__(self, folder: Path, max_bytes: int, limit_mb: float | None = None) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.limit_mb = limit_mb if limit_mb is not None else max_bytes / 1024 / 1024

    @classmethod
    def for_settings(cls, settings: Settings) -> Uploads:
        return cls(settings.home / UPLOADS, max_upload_bytes(settings), settings.max_file_mb)

    # --- before the ingest ----------------------------------------------------------------
    def stage(self, files: Sequence[Any] | None) -> tuple[list[Staged], list[ItemResult]]:
        """Copy each upload under ``uploads/``; refused ones come back as failed results (named as
        uploaded) and are deleted when they are Gradio's temporary copies."""
        staged: list[Staged] = []
        refused: list[ItemResult] = []
        names: dict[str, str] = {}  # stored name -> the name it was given
        for f in files or ():
            src = Path(getattr(f, "path", None) or getattr(f, "name", None) or f)
            # the user's name (the browser's), not Gradio's copy's, which lost "<", ">", ":" ... (new user 28)
            given = getattr(f, "orig_name", None)
            name = given if isinstance(given, str) and given.strip() else src.name
            stored = stored_name(name, src.name)
            try:
                if stored in names:  # both would be stored as uploads/<name>: the second would replace the first
                    other = names[stored]
                    refused.append(ItemResult(name, "failed", reason=(
                        "has the same name as another file of this upload" if other == name else
                        f"would be stored under the same name as “{other}” of this upload") +
                        "; rename one or add it on its own"))
                    continue
                names[stored] = name
                size = src.stat().st_size
                if size > self.max_bytes:
                    raise TooBig
                try:
                    staged.append(self._copy(src, name, stored))
                except OSError as exc:  # a name this file system cannot hold (a Windows share: "<", "?"): Gradio's
                    if stored == src.name or exc.errno not in (errno.EINVAL, errno.ENAMETOOLONG, errno.EILSEQ):
                        raise
                    log.info("upload %r stored as %r: %s", name, src.name, exc)
                    staged.append(self._copy(src, name, src.name))
            except TooBig:
                refused.append(ItemResult(name, "failed", reason=(
                    f"is {_human(src.stat().st_size) if src.exists() else 'too big'}, over the "
                    f"{self.limit_mb:g} MB upload limit; raise RAG_MAX_FILE_MB or split the file")))
                log.info("refused upload %r: over %s bytes", name, self.max_bytes)
            except OSError as exc:  # the message without its paths: the browser must not see them
                log.warning("could not store upload %r: %s", name, exc)
                refused.append(ItemResult(name, "failed", reason=(
                    f"could not be stored ({exc.strerror or type(exc).__name__}); upload it again or "
                    "check the server's disk space")))
            finally:
                self.discard_temp(src)
        return staged, refused

    def _copy(self, src: Path, name: str, stored: str) -> Staged:
        self.folder.mkdir(parents=True, exist_ok=True)
        dest = self.folder / stored
        if dest.parent != self.folder:  # stored_name lets no separator through; a bug here must not write elsewhere
            raise OSError(f"refusing to store an upload outside {self.folder}")
        set_aside = None
        if dest.is_file():
            (self.folder / _SET_ASIDE).mkdir(exist_ok=True)
            set_aside = self.folder / _SET_ASIDE / stored
            os.replace(dest, set_aside)
        try:
            copied = 0
            with src.open("rb") as fin, dest.open("wb") as fout:
                while chunk := fin.read(_COPY_CHUNK):
                    copied += len(chunk)
                    if copied > self.max_bytes:  # it grew after the size check
                        raise TooBig
                    fout.write(chunk)
        except BaseException:
            self._drop(Staged(name, dest, set_aside))
            raise
        return Staged(name, dest, set_aside)

    # --- after the ingest -----------------------------------------------------------------
    def settle(self, staged: Iterable[Staged], results: Sequence[ItemResult]) -> None:
        """Drop the copies the ingest refused (restoring what they replaced); forget the set-aside
        earlier versions of the ones it stored."""
        for s in staged:
            keys = _keys(s.path)
            mine = [r for r in results if r.item in keys or r.item.startswith(tuple(k + "#" for k in keys))]
            # no result names it (a dump whose records carry URLs): something may be stored, keep it
            if mine and all(r.status == "failed" for r in mine):
                self._drop(s)
            elif s.set_aside is not None:
                s.set_aside.unlink(missing_ok=True)

    def _drop(self, s: Staged) -> None:
        try:
            s.path.unlink(missing_ok=True)
            if s.set_aside is not None and s.set_aside.exists():
                os.replace(s.set_aside, s.path)
        except OSError as exc:
            log.warning("could not clean up the refused upload %s: %s", s.path, exc)

    @staticmethod
    def discard_temp(src: Path) -> None:
        """Delete Gradio's temporary copy of an upload (and its per-file folder when empty); paths
        outside Gradio's upload folder are left alone."""
        try:
            root = Path(get_upload_folder()).resolve()
            path = src.resolve()
            if root not in path.parents:
                return
            path.unlink(missing_ok=True)
            if path.parent != root:
                path.parent.rmdir()  # fails (kept) when it still holds something
        except OSError:
            pass

    # --- what the browser may see ---------------------------------------------------------
    def shown(self, staged: Iterable[Staged], result: ItemResult) -> ItemResult:
        """``result`` with every server path of ours replaced by the uploaded file's name."""
        item, reason = self.shown_text(staged, result.item), self.shown_text(staged, result.reason)
        if item == result.item and reason == result.reason:
            return result
        return replace(result, item=item or "", reason=reason)

    def shown_text(self, staged: Iterable[Staged], text: str | None) -> str | None:
        """``text`` with every server path of ours replaced by the uploaded file's name."""
        if not text:
            return text
        pairs: list[tuple[str, str]] = []
        for s in staged:
            pairs += [(k, s.name) for k in _keys(s.path)]
        pairs += [(k, "uploads") for k in _keys(self.folder)]
        pairs += [(k, "upload") for k in _keys(Path(get_upload_folder()))]
        pairs += [(k, "$RAG_HOME") for k in _keys(self.folder.parent)]
        pairs.sort(key=lambda kv: len(kv[0]), reverse=True)  # the most specific path first
        for path, name in pairs:
            text = text.replace(path, name)
        return text


def without_temp_leak(box: gr.File) -> gr.File:
    """``box`` (a ``gr.File`` of ``type="filepath"``) handing the handler the uploaded paths and nothing more.

    Gradio 6's ``File.preprocess`` opens an empty ``NamedTemporaryFile`` in its cache for every
    file of every event and never deletes it: each "Add" would leave a stray file behind. It also
    rejects a file of another type with one error for the whole batch; here the loader reports it
    per file instead (and sniffs PDFs saved under other names); ``file_types`` still filters the
    browser's file picker. Gradio's own checks (the path must be one it received) run before this
    step and are kept. Patched on the instance: a subclass of a Gradio component makes Gradio write
    a ``.pyi`` stub next to our source at import time. Each path carries the file's name as the user
    gave it (``orig_name``), which Gradio's copy does not keep."""

    def process(f: FileData) -> NamedString:
        path = NamedString(f.path)
        path.orig_name = f.orig_name  # the user's file name (``Uploads.stage``): the path's is Gradio's sanitised one
        return path

    if box.type != "filepath":
        raise ValueError("without_temp_leak needs gr.File(type='filepath')")
    box._process_single_file = process  # type: ignore[method-assign]
    return box


def _keys(path: Path) -> tuple[str, ...]:
    """The spellings under which a path may come back in results (as given, and resolved)."""
    return tuple(dict.fromkeys((str(path), os.path.realpath(path))))
