"""Only regular, readable files are read: anything else is named and skipped with a reason.

A symlink to /dev/zero never ends when hashed, a FIFO blocks the first read for ever, a
folder named x.xlsx is not a workbook, and a file without read permission raised an English
or Python error. Every reader asks `refusal` first, before it opens or hashes the file, or
reads it with `read_regular`, which judges the file it opened and never blocks.
"""
from __future__ import annotations

import errno
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

# The file being worked on, so an unexpected failure can still name it (cli.base).
_current: list[Path] = []


def as_path(path: str | Path) -> Path:
    """The path as a Path; one already is kept (Path(path) parses it again: a few µs for each
    of the thousands of files a check reads, at each step that asks)."""
    return path if isinstance(path, Path) else Path(path)


def refusal(path: str | Path) -> str | None:
    """Why `path` is not a regular file this process may read (Chinese), or None."""
    path = as_path(path)
    try:
        info = path.stat()          # follows symlinks: what would be read is what counts
    except FileNotFoundError:
        if path.is_symlink():
            return "是一个指向不存在文件的快捷方式（符号链接），请提交工作簿文件本身"
        return "文件不存在，请检查文件名和路径"
    except PermissionError:
        return "没有权限访问该文件所在的文件夹；请复制到自己有权限的文件夹后再处理"
    except OSError as exc:
        return unreadable_reason(exc)
    kind = _special_kind(info.st_mode)
    if kind:
        return _special_reason(kind)
    if not os.access(path, os.R_OK, effective_ids=os.access in os.supports_effective_ids):
        return "没有读取权限（文件可能属于其他用户或被设为不可读）；请复制一份自己有权限的文件后再处理"
    return None


def unreadable_reason(exc: OSError) -> str:
    return f"无法访问该文件（{exc.strerror or '系统错误'}）；请复制到本机文件夹后再处理"


class NotRegular(OSError):
    """What was a regular file when refusal() looked is something else when opened (a FIFO or
    a device put in its place); strerror is the Chinese reason."""


def read_regular(path: str | Path, most: int) -> bytes:
    """The file's bytes, at most `most` of them however it grows meanwhile, judged again on the
    file opened, not on its name: it may have been swapped since refusal() looked. Opened
    without blocking, so that a FIFO put in its place cannot hold the open for ever (a regular
    file reads the same either way)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        kind = _special_kind(info.st_mode)
        if kind:
            raise NotRegular(errno.EINVAL, _special_reason(kind))
        left, blocks = min(info.st_size + 1, most), []   # one past its size: growth is seen
        while left > 0 and (block := os.read(fd, left)):
            blocks.append(block)
            left -= len(block)
        return b"".join(blocks)
    finally:
        os.close(fd)


def _special_reason(kind: str) -> str:
    return f"这是{kind}，不是普通文件，已跳过；请提交工作簿文件本身"


def _special_kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "一个文件夹（只是名字像工作簿）"
    if stat.S_ISFIFO(mode):
        return "一个管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "一个设备文件"
    if stat.S_ISSOCK(mode):
        return "一个套接字文件"
    return "一个特殊文件"


@contextmanager
def working_on(path: str | Path) -> Iterator[None]:
    """Marks the file being processed, for the "内部错误" line should anything escape."""
    _current.append(as_path(path))
    try:
        yield
    finally:
        _current.pop()


def current() -> Path | None:
    return _current[-1] if _current else None
