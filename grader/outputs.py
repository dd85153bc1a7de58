"""Keep a bounded amount of what a kernel prints.

nbclient (which nbgrader runs notebooks with) keeps every output a kernel
sends, so a submission that prints 300 MB would make the grader hold 300 MB
or more (and write it to the autograded notebook and the feedback). While
:func:`capped_outputs` is active, nbclient keeps at most ``cell_chars``
characters of output per cell and ``notebook_chars`` per notebook:

- Stream text (stdout, stderr) is cut at the limit; what follows is dropped as
  it arrives, so the grader's memory stays bounded however much is printed.
  Consecutive pieces of one stream are merged into one output as they arrive
  (ipykernel sends a stream in pieces, which front ends show joined), and the
  cap holds for the merged text, and for nbclient's own merging
  (``coalesce_streams``) at the end of a cell.
- Rich outputs (display_data, execute_result) that do not fit are dropped, or
  cut to their ``text/plain`` form when that is all that fits.
- A cell's first error output is always kept, shortened to its name and the
  end of its message and traceback when it does not fit, and so is the start
  of a cell's stderr: nbgrader grades a test cell by whether it has either,
  so cutting must never turn a failed test into a passed one.
- A cell whose output was cut ends with one stdout stream saying so, for
  example ``[output cut: this cell printed more than 100,000 characters; the
  rest was not kept]``.
- Outputs carrying the MIME type ``keep_mime`` (the grader's own records,
  :data:`RECORD_MIME`) count against a budget of their own, ``keep_chars`` per
  notebook, and are never cut partially: a record over the budget is dropped
  whole and the cell's note says how many were.
- A single Jupyter message bigger than the caps could ever keep is not even
  decoded: its content is replaced, right after the signature check, by a
  stand-in (the start of a stream's text, the name of an error), so one
  ``print`` of 300 MB costs the grader the 300 MB message frame and no more.
- Display updates (``update_display``) count against the caps of the cells
  they change, and are skipped when they do not fit; widget state (comm
  messages, kept in the notebook's metadata) has a budget of
  ``notebook_chars`` of its own, past which widget messages are dropped.

Clearing output (``clear_output``) gives its characters back, so a progress
display that redraws itself is never cut.

The patch is made on nbclient's ``NotebookClient`` and jupyter_client's
``Session`` and socket channel classes (which then receive without copying
frames out of zmq) while the block runs, and undone after; budgets live on
each client, per notebook. Use it around one notebook's execution at a time
per process (nesting and threads are safe, but every client in the process is
capped while any block is active, by the innermost block's caps).
"""
from __future__ import annotations

import json
import logging
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

CELL_CHARS = 100_000
NOTEBOOK_CHARS = 2_000_000
RECORD_MIME = "application/vnd.dl-course.record+json"
KEEP_CHARS = 64 << 20  # records per notebook, when keep_mime is given without keep_chars
NOTE_PREFIX = "[output cut:"  # every note this module adds starts with this
OUTPUT_COST = 100  # characters each kept output counts for on top of its text
MIN_KEPT = 2_000  # characters of a cell's first error and first stderr kept past the caps
_SLACK = 64 << 10  # bytes of JSON framing allowed on top of a message's characters
_OUTPUT_TYPES = ("stream", "display_data", "execute_result", "error", "update_display_data")

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Caps:
    cell_chars: int = CELL_CHARS
    notebook_chars: int = NOTEBOOK_CHARS
    keep_mime: str | None = None
    keep_chars: int = 0

    @property
    def small_frame(self) -> int:
        """Bytes of an output message's content above which it is not decoded."""
        return 4 * self.cell_chars + _SLACK

    @property
    def big_frame(self) -> int:
        """Bytes above which no message (a record, widget state, a reply) is
        decoded: twice the biggest budget, for JSON escapes inside a record."""
        return 2 * max(self.notebook_chars, self.keep_chars) + _SLACK

    def cut_note(self, reason: str) -> str:
        if reason == "notebook":
            return (f"{NOTE_PREFIX} this notebook printed more than {self.notebook_chars:,} "
                    "characters; the rest was not kept]\n")
        return f"{NOTE_PREFIX} this cell printed more than {self.cell_chars:,} characters; the rest was not kept]\n"

    def record_note(self, n: int) -> str:
        return (f"{NOTE_PREFIX} {n:,} record{'s' if n != 1 else ''} dropped whole: the grader keeps "
                f"at most {self.keep_chars:,} characters of records per notebook]\n")


@dataclass
class _Cell:
    used: int = 0  # characters kept, records aside
    kept: int = 0  # characters of records kept
    cut: str | None = None  # 'cell' or 'notebook': which cap cut this cell's output first
    records_dropped: int = 0
    errors: int = 0  # error outputs kept
    stderr: bool = False  # some stderr kept
    seen: bool = False  # the kernel sent messages for it


@dataclass
class _State:
    """One client's budgets for one notebook."""
    nb: object
    caps: Caps
    used: int = 0
    kept: int = 0
    cells: dict = field(default_factory=dict)
    widget: dict = field(default_factory=dict)  # (comm, key) -> characters held
    widget_used: int = 0
    widget_dropped: int = 0

    def cell(self, index) -> _Cell:
        c = self.cells.get(index)
        if c is None:
            c = self.cells[index] = _Cell()
        return c

    def reset(self, index):
        self.refund(self.cell(index))
        self.cells[index] = _Cell()

    def refund(self, c: _Cell):
        """The cell's outputs were cleared."""
        self.used -= c.used
        self.kept -= c.kept
        c.used = c.kept = c.errors = 0
        c.stderr = False

    def room(self, c: _Cell):
        """Characters the cell may still keep, and which cap binds."""
        cell_room = self.caps.cell_chars - c.used
        nb_room = self.caps.notebook_chars - self.used
        return (cell_room, "cell") if cell_room <= nb_room else (nb_room, "notebook")

    def charge(self, c: _Cell, chars: int):
        c.used += chars
        self.used += chars

    def cut(self, c: _Cell, reason: str):
        c.cut = c.cut or reason


def _chars(obj) -> int:
    """About how many characters ``obj`` (JSON-like) holds; never recurses."""
    total, stack = 0, [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            total += len(x)
        elif isinstance(x, dict):
            total += 2 * len(x)
            for k, v in x.items():
                total += len(k) if isinstance(k, str) else 8
                stack.append(v)
        elif isinstance(x, (list, tuple)):
            total += len(x)
            stack.extend(x)
        elif isinstance(x, (bytes, bytearray, memoryview)):
            total += _nbytes(x)
        else:
            total += 8
    return total


def _nbytes(frame) -> int:
    n = getattr(frame, "nbytes", None)
    return n if isinstance(n, int) else len(frame)


def _is_record(caps: Caps, data) -> bool:
    return bool(caps.keep_mime) and isinstance(data, dict) and caps.keep_mime in data


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # nbformat's multiline strings
        return "".join(str(v) for v in value)
    return "" if value is None else str(value)


def _shrink_error(payload, room: int):
    """Cut an error's message and traceback so that it holds about ``room``
    characters, keeping its name and the end of its traceback."""
    room = max(room, 200)
    ename = _text(payload.get("ename"))[:1000]
    evalue = _text(payload.get("evalue"))
    if len(evalue) > room // 2:
        evalue = evalue[: room // 2] + " [cut]"
    left = room - len(ename) - len(evalue)
    lines = payload.get("traceback")
    lines = [_text(line) for line in lines] if isinstance(lines, list) else []
    kept = []
    for line in reversed(lines):
        if len(line) > left:
            if not kept:
                kept.append(line[-max(left, 100):])
            break
        kept.append(line)
        left -= len(line)
    if len(kept) < len(lines):
        kept.append(f"{NOTE_PREFIX} the start of this traceback was not kept]")
    payload["ename"], payload["evalue"], payload["traceback"] = ename, evalue, kept[::-1]


def _fit(st: _State, c: _Cell, kind: str, payload, new: bool = True) -> bool:
    """Cut ``payload`` (a message's content or an output: the same keys) to the
    room the cell has left and charge it; False when it must be dropped.
    Records are charged to their own budget, whole or not at all."""
    caps = st.caps
    cost = OUTPUT_COST if new else 0
    if kind in ("display_data", "execute_result") and _is_record(caps, payload.get("data")):
        size = _chars(payload.get("data")) + _chars(payload.get("metadata")) + cost
        if st.kept + size > caps.keep_chars:
            c.records_dropped += 1
            return False
        c.kept += size
        st.kept += size
        return True
    room, reason = st.room(c)
    room -= cost
    if kind == "stream":
        text = _text(payload.get("text"))
        if len(text) > room:
            st.cut(c, reason)
            allowed = max(room, 0)
            if payload.get("name") == "stderr" and not c.stderr:
                allowed = max(allowed, min(len(text), MIN_KEPT))
            text = text[:allowed]
            if not text:
                return False
        payload["text"] = text
        c.stderr = c.stderr or payload.get("name") == "stderr"
        st.charge(c, len(text) + cost)
        return True
    if kind == "error":
        size = _chars(payload)
        if size > room:
            if c.errors:  # one error is enough to fail the cell
                st.cut(c, reason)
                return False
            st.cut(c, reason)
            _shrink_error(payload, max(room, MIN_KEPT))
            size = _chars(payload)
        c.errors += 1
        st.charge(c, size + cost)
        return True
    # display_data, execute_result
    size = _chars(payload.get("data")) + _chars(payload.get("metadata"))
    if size > room:
        st.cut(c, reason)
        plain = (payload.get("data") or {}).get("text/plain") if isinstance(payload.get("data"), dict) else None
        if plain is None or room <= 0:
            return False
        payload["data"] = {"text/plain": _text(plain)[:room]}
        payload["metadata"] = {}
        size = room
    st.charge(c, size + cost)
    return True


# --- the patched methods -----------------------------------------------------------------

_lock = threading.RLock()
_stack: list[Caps] = []
_saved: dict = {}  # the original methods (kept after the block: a late call still finds them)


def _current() -> Caps | None:
    return _stack[-1] if _stack else None


def _state(client, caps: Caps) -> _State:
    st = client.__dict__.get("_capped_outputs")
    if st is None or st.nb is not client.nb or st.caps is not caps:
        st = _State(client.nb, caps)
        client.__dict__["_capped_outputs"] = st
    return st


def _hooked(client, msg) -> bool:
    parent = (msg.get("parent_header") or {}).get("msg_id")
    return bool(client.output_hook_stack.get(parent)) if parent is not None else False


def _output(self, outs, msg, display_id, cell_index):
    orig = _saved["output"]
    caps = _current()
    kind = msg.get("msg_type")
    if caps is None or kind not in ("stream", "display_data", "execute_result", "error"):
        return orig(self, outs, msg, display_id, cell_index)
    st = _state(self, caps)
    c = st.cell(cell_index)
    hooked = _hooked(self, msg)
    if self.clear_before_next_output and not hooked:
        # the delayed clear nbclient would do now: give the characters back first
        outs[:] = []
        self.clear_display_id_mapping(cell_index)
        self.clear_before_next_output = False
        st.refund(c)
    content = msg.get("content")
    if not isinstance(content, dict):
        return None
    # one output for consecutive pieces of a stream, as front ends show them
    # (nbclient's own coalesce_streams, off by default, merges at the cell's end)
    merge = (kind == "stream" and not hooked and outs
             and outs[-1].get("output_type") == "stream" and outs[-1].get("name") == content.get("name"))
    if not _fit(st, c, kind, content, new=not merge):
        return None
    out = orig(self, outs, msg, display_id, cell_index)
    if merge and out is not None and len(outs) >= 2 and outs[-1] is out:
        outs.pop()
        outs[-1]["text"] += out["text"]
        return outs[-1]
    return out


def _clear_output(self, outs, msg, cell_index):
    orig = _saved["clear_output"]
    caps = _current()
    if caps is not None and not _hooked(self, msg) and not (msg.get("content") or {}).get("wait"):
        st = _state(self, caps)
        st.refund(st.cell(cell_index))
    return orig(self, outs, msg, cell_index)


def _update_display_id(self, display_id, msg):
    orig = _saved["_update_display_id"]
    caps = _current()
    if caps is None or display_id not in self._display_id_map:
        return orig(self, display_id, msg)
    st = _state(self, caps)
    content = msg.get("content") or {}
    new = _chars(content.get("data")) + _chars(content.get("metadata"))
    record = _is_record(caps, content.get("data"))
    deltas = {}
    for cell_index, indices in self._display_id_map[display_id].items():
        for i in indices:
            try:
                old = self.nb["cells"][cell_index]["outputs"][i]
            except (IndexError, KeyError, TypeError):
                continue
            deltas[cell_index] = deltas.get(cell_index, 0) + new - _chars(old.get("data")) - _chars(
                old.get("metadata"))
    total = sum(deltas.values())
    if record:
        if st.kept + total > caps.keep_chars:
            for cell_index in deltas:
                st.cell(cell_index).records_dropped += 1
            return None
    else:
        for cell_index, delta in deltas.items():
            c = st.cell(cell_index)
            room, reason = st.room(c)
            if delta > room or total > caps.notebook_chars - st.used:
                st.cut(c, reason)
                return None
    orig(self, display_id, msg)
    for cell_index, delta in deltas.items():
        c = st.cell(cell_index)
        if record:
            c.kept += delta
            st.kept += delta
        else:
            st.charge(c, delta)
    return None


def _handle_comm_msg(self, outs, msg, cell_index):
    orig = _saved["handle_comm_msg"]
    caps = _current()
    if caps is None:
        return orig(self, outs, msg, cell_index)
    if msg.get("_capped_outputs"):  # too big to decode: dropped
        return None
    st = _state(self, caps)
    content = msg.get("content") or {}
    comm = content.get("comm_id")
    data = content.get("data")
    data = data if isinstance(data, dict) else {}
    sizes = {}
    if msg.get("msg_type") == "comm_open":
        sizes[(comm, "open", None)] = OUTPUT_COST + _chars(content.get("target_name"))
    state = data.get("state")
    if isinstance(state, dict):
        for key, value in state.items():
            sizes[(comm, "state", key if isinstance(key, str) else repr(key))] = OUTPUT_COST + _chars(value)
    paths = data.get("buffer_paths")
    if isinstance(paths, list):
        for path, buf in zip(paths, msg.get("buffers") or []):
            key = repr(path)[:1000]
            sizes[(comm, "buffer", key)] = OUTPUT_COST + _nbytes(buf) * 4 // 3
    delta = sum(size - st.widget.get(key, 0) for key, size in sizes.items())
    if st.widget_used + delta > caps.notebook_chars:
        if not st.widget_dropped:
            log.warning("widget messages dropped: more than %s characters of widget state", caps.notebook_chars)
        st.widget_dropped += 1
        return None
    st.widget.update(sizes)
    st.widget_used += delta
    return orig(self, outs, msg, cell_index)


def _process_message(self, msg, cell, cell_index):
    orig = _saved["process_message"]
    caps = _current()
    if caps is None:
        return orig(self, msg, cell, cell_index)
    st = _state(self, caps)
    c = st.cell(cell_index)
    c.seen = True
    stand_in = msg.get("_capped_outputs")
    if stand_in:
        kind = msg.get("msg_type")
        if kind in ("display_data", "execute_result"):
            if stand_in.get("record"):
                c.records_dropped += 1
            else:
                st.cut(c, "cell")
            return None
        if kind == "update_display_data":
            st.cut(c, "cell")
            return None
        if str(kind).startswith("comm"):
            return None
        if kind in ("stream", "error"):
            st.cut(c, "cell")
    return orig(self, msg, cell, cell_index)


def _finish(st: _State, cell, cell_index):
    """After the cell ran: hold its outputs to the caps once more (nbclient
    merged its streams, nbgrader may have added the reply's error) and end
    them with the note."""
    c = st.cell(cell_index)
    if not (c.seen or c.cut or c.records_dropped) or not isinstance(cell.get("outputs"), list):
        return
    caps = st.caps
    outputs, cut, dropped = cell["outputs"], c.cut, c.records_dropped
    st.reset(cell_index)
    c = st.cell(cell_index)
    c.cut, c.records_dropped, c.seen = cut, dropped, True
    kept = []
    for out in outputs:
        kind = out.get("output_type") if hasattr(out, "get") else None
        if kind in ("display_data", "execute_result") and _is_record(caps, out.get("data")):
            size = _chars(out.get("data")) + _chars(out.get("metadata")) + OUTPUT_COST
            c.kept += size  # kept when it arrived: never dropped now
            st.kept += size
        elif kind in ("stream", "display_data", "execute_result", "error") and not _fit(st, c, kind, out):
            continue
        kept.append(out)
    notes = ""
    if c.cut:
        notes += caps.cut_note(c.cut)
    if c.records_dropped:
        notes += caps.record_note(c.records_dropped)
    if notes:
        from nbformat.v4 import new_output
        kept.append(new_output("stream", name="stdout", text=notes))
    cell["outputs"] = kept


async def _async_execute_cell(self, cell, cell_index, *args, **kwargs):
    orig = _saved["async_execute_cell"]
    caps = _current()
    if caps is None:
        return await orig(self, cell, cell_index, *args, **kwargs)
    st = _state(self, caps)
    st.reset(cell_index)
    try:
        return await orig(self, cell, cell_index, *args, **kwargs)
    finally:
        if _current() is caps:
            _finish(_state(self, caps), cell, cell_index)


# --- messages too big to decode ----------------------------------------------------------

def _find(raw, key: str, pattern: bytes = rb'"((?:[^"\\]|\\.){0,1000})"'):
    """The JSON value of ``key`` in encoded content ``raw`` (searched without
    decoding it; a quote inside a JSON string is always escaped, so the key
    cannot be faked from inside a value), or None."""
    m = re.compile(rb'"' + re.escape(key.encode()) + rb'"\s*:\s*' + pattern).search(raw)
    if not m:
        return None
    value = m.group(0)
    try:
        return json.loads(value[value.index(b":") + 1:])
    except ValueError:
        return None


def _text_prefix(raw, chars: int) -> str:
    """The first ``chars`` characters of the ``text`` of a stream message's
    encoded content, without decoding the rest."""
    m = re.search(rb'"text"\s*:\s*"', raw)
    if not m:
        return ""
    chunk = bytes(raw[m.end(): m.end() + 6 * chars + 16]).decode("utf-8", "ignore")
    body = re.match(r'(?:[^"\\]|\\.)*', chunk).group(0)
    for _ in range(8):  # an escape cut in the middle
        try:
            return json.loads('"' + body + '"')[:chars]
        except ValueError:
            body = body[:-1]
    return ""


def _stand_in(kind: str, raw, caps: Caps, nbytes: int) -> dict:
    note = f"{NOTE_PREFIX} one message of {nbytes:,} bytes was not kept]"
    if kind == "stream":
        name = _find(raw, "name")
        return {"name": name if name in ("stdout", "stderr") else "stdout",
                "text": _text_prefix(raw, caps.cell_chars)}
    if kind in ("display_data", "execute_result", "update_display_data"):
        content = {"data": {}, "metadata": {}}
        if kind == "execute_result":
            count = _find(raw, "execution_count", rb"(\d{1,12}|null)")
            content["execution_count"] = count if isinstance(count, int) else None
        return content
    if kind == "error":
        ename = _find(raw, "ename")
        return {"ename": ename if isinstance(ename, str) else "Error", "evalue": note, "traceback": [note]}
    if kind == "execute_reply":
        status = _find(raw, "status")
        status = status if status in ("ok", "error", "aborted") else "error"
        count = _find(raw, "execution_count", rb"(\d{1,12}|null)")
        content = {"status": status, "execution_count": count if isinstance(count, int) else None,
                   "user_expressions": {}, "payload": []}
        if status == "error":
            ename = _find(raw, "ename")
            content.update(ename=ename if isinstance(ename, str) else "Error", evalue=note, traceback=[note])
        return content
    if kind.startswith("comm"):
        comm = _find(raw, "comm_id")
        return {"comm_id": comm if isinstance(comm, str) else "", "data": {}}
    return {}


def _frame(part, copy: bool):
    """A message part as bytes or a memoryview (zero-copy for zmq frames)."""
    if copy or isinstance(part, (bytes, memoryview)):
        return part
    buffer = getattr(part, "buffer", None)
    return buffer if buffer is not None else memoryview(part)


def _json_session(session) -> bool:
    """Whether the session packs JSON (Jupyter's default), which the stand-ins read."""
    from jupyter_client import session as module

    return getattr(session, "unpack", None) in (module.json_unpacker, getattr(module, "orjson_unpacker", None))


def _deserialize(self, msg_list, content=True, copy=True):
    orig = _saved["deserialize"]
    caps = _current()
    if caps is None or not content or len(msg_list) < 5 or not _json_session(self):
        return orig(self, msg_list, content, copy)
    nbytes = _nbytes(msg_list[4])
    buffers = sum(_nbytes(b) for b in msg_list[5:])
    if nbytes <= caps.small_frame and buffers <= caps.big_frame:
        return orig(self, msg_list, content, copy)
    # The signature is checked over the content as it lies in the zmq frame;
    # the content stays packed and, when too big, is never copied or decoded.
    parts = [bytes(_frame(p, copy)) for p in msg_list[:4]] + [_frame(msg_list[4], copy)]
    parts += [_frame(p, copy) for p in msg_list[5:]]
    msg = orig(self, parts, False, True)
    raw = msg["content"]
    kind = msg["msg_type"]
    if self.auth is not None:
        try:  # as the unpacking path would have done
            self._add_digest(parts[0])
        except Exception:
            pass
    marker = {}
    if buffers > caps.big_frame:
        msg["buffers"] = []
        marker["buffers"] = buffers
    record_key = re.compile(rb'"' + re.escape(caps.keep_mime.encode()) + rb'"\s*:') if caps.keep_mime else None
    limit = caps.small_frame if kind in _OUTPUT_TYPES else caps.big_frame
    if (record_key is not None and kind in ("display_data", "execute_result") and nbytes <= caps.big_frame
            and record_key.search(raw)):
        limit = caps.big_frame
    if nbytes <= limit:
        msg["content"] = self.unpack(str(raw, "utf-8", "replace"))  # no bytes copy of the frame
    else:
        msg["content"] = _stand_in(kind, raw, caps, nbytes)
        marker["bytes"] = nbytes
        marker["record"] = bool(record_key is not None and kind in ("display_data", "execute_result")
                                and record_key.search(raw))
    del raw, parts
    if marker:
        msg["_capped_outputs"] = marker
    return msg


def _recv_sync(self, **kwargs):
    kwargs.setdefault("copy", False)
    msg = self.socket.recv_multipart(**kwargs)
    _, smsg = self.session.feed_identities(msg, copy=kwargs["copy"])
    return self.session.deserialize(smsg, copy=kwargs["copy"])


async def _recv_async(self, **kwargs):
    # not copied out of zmq: a message the caps drop is never held twice
    kwargs.setdefault("copy", False)
    msg = await self.socket.recv_multipart(**kwargs)
    _, smsg = self.session.feed_identities(msg, copy=kwargs["copy"])
    return self.session.deserialize(smsg, copy=kwargs["copy"])


def _patches():
    from jupyter_client.channels import AsyncZMQSocketChannel, ZMQSocketChannel
    from jupyter_client.session import Session
    from nbclient.client import NotebookClient
    from nbclient.util import run_sync

    methods = {name: fn for name, fn in [
        ("output", _output), ("clear_output", _clear_output), ("_update_display_id", _update_display_id),
        ("handle_comm_msg", _handle_comm_msg), ("process_message", _process_message),
        ("async_execute_cell", _async_execute_cell)]}
    out = [(NotebookClient, name, fn) for name, fn in methods.items()]
    # execute_cell is run_sync(the original async_execute_cell): wrap ours the same way
    out.append((NotebookClient, "execute_cell", run_sync(_async_execute_cell)))
    out.append((Session, "deserialize", _deserialize))
    out.append((ZMQSocketChannel, "_recv", _recv_sync))
    out.append((AsyncZMQSocketChannel, "_recv", _recv_async))
    return out


@contextmanager
def capped_outputs(cell_chars: int = CELL_CHARS, notebook_chars: int = NOTEBOOK_CHARS,
                   keep_mime: str | None = None, keep_chars: int | None = None):
    """While active, nbclient keeps at most ``cell_chars`` characters of output
    per cell and ``notebook_chars`` per notebook; outputs of MIME type
    ``keep_mime`` count against ``keep_chars`` per notebook instead and are
    kept whole or dropped whole. See the module docstring."""
    if keep_chars is None:
        keep_chars = KEEP_CHARS if keep_mime else 0
    caps = Caps(int(cell_chars), int(notebook_chars), keep_mime, int(keep_chars))
    with _lock:
        if not _stack:
            for cls, name, fn in _patches():
                _saved.setdefault(name, cls.__dict__[name])  # the wrappers call these
                _saved[(cls, name)] = cls.__dict__[name]
                setattr(cls, name, fn)
        _stack.append(caps)
    try:
        yield caps
    finally:
        with _lock:
            for i in range(len(_stack) - 1, -1, -1):
                if _stack[i] is caps:
                    del _stack[i]
                    break
            if not _stack:
                for cls, name, _ in _patches():
                    setattr(cls, name, _saved[(cls, name)])
