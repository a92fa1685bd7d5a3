"""The kernel's behaviour on the wire beyond the conformance suite: bad messages, crashes,
interrupts, streaming, stdin, execute flags, comms, control and restarts."""

import hashlib
import hmac
import json
import signal
import time
import uuid

import pytest
import zmq

from conftest import TIMEOUT, run, start_kernel


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    log = tmp_path_factory.mktemp("kernel") / "kernel.log"
    stderr = open(log, "w")  # noqa: SIM115 - restarts reuse it, so it stays open
    km, kc = start_kernel(stderr=stderr)
    run(kc, "let warm_up = 1;")
    yield km, kc, log
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    stderr.close()


def of_type(messages, msg_type):
    return [m for m in messages if m["msg_type"] == msg_type]


def raw_frames(key, msg_type, content=b"{}", sign_with=None):
    header = {
        "msg_id": uuid.uuid4().hex,
        "username": "test",
        "session": uuid.uuid4().hex,
        "date": "2026-01-01T00:00:00Z",
        "msg_type": msg_type,
        "version": "5.5",
    }
    parts = [json.dumps(header).encode(), b"{}", b"{}", content]
    mac = hmac.new((sign_with or key), digestmod=hashlib.sha256)
    for p in parts:
        mac.update(p)
    return [b"<IDS|MSG>", mac.hexdigest().encode(), *parts]


def test_bad_messages_are_logged_dropped_and_the_kernel_keeps_answering(kernel):
    km, kc, log = kernel
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.DEALER)
    sock.connect(f"tcp://{km.ip}:{km.shell_port}")
    key = km.session.key
    sock.send_multipart(raw_frames(key, "kernel_info_request", sign_with=b"not-the-key"))
    sock.send_multipart(raw_frames(key, "kernel_info_request", content=b"{not json"))
    sock.send_multipart(raw_frames(key, "frobnicate_request"))
    sock.send_multipart([b"no delimiter at all"])
    # None of those is answered...
    assert sock.poll(2000) == 0
    # ...and a good request still is, on the same socket.
    sock.send_multipart(raw_frames(key, "kernel_info_request"))
    assert sock.poll(10000) == zmq.POLLIN
    reply = sock.recv_multipart()
    assert json.loads(reply[reply.index(b"<IDS|MSG>") + 2])["msg_type"] == "kernel_info_reply"
    sock.close()
    text = log.read_text()
    assert "invalid HMAC signature" in text
    assert "content is not valid JSON" in text
    assert "ignoring unsupported `frobnicate_request`" in text
    assert "no <IDS|MSG> delimiter" in text
    assert km.is_alive()


def test_kernel_info_on_control_and_shell(kernel):
    _, kc, _ = kernel
    msg = kc.session.msg("kernel_info_request")
    kc.control_channel.send(msg)
    control = kc.get_control_msg(timeout=TIMEOUT)
    assert control["parent_header"]["msg_id"] == msg["header"]["msg_id"]
    kc.kernel_info()
    shell = kc.get_shell_msg(timeout=TIMEOUT)
    for reply in (control, shell):
        content = reply["content"]
        assert reply["header"]["version"] == "5.5"
        assert content["protocol_version"] == "5.5"
        assert content["implementation"] == "rangeo"
        info = content["language_info"]
        assert info["name"] == "rust" and info["file_extension"] == ".rs"
        assert info["version"].count(".") == 2
        assert {"mimetype", "pygments_lexer", "codemirror_mode", "nbconvert_exporter"} <= set(info)
        assert {link["text"] for link in content["help_links"]} >= {"Rust standard library", "rangeo"}
        assert content["supported_features"] == []


def test_panic_keeps_earlier_variables_and_crash_reports_what_was_lost(kernel):
    _, kc, _ = kernel
    assert run(kc, "let kept = 5;")[0]["status"] == "ok"
    reply, messages = run(kc, 'let v: Vec<i32> = Vec::new();\nlet first = v[3];')
    assert reply["status"] == "error" and reply["ename"] == "Panic"
    assert "index out of bounds" in reply["evalue"]
    errors = of_type(messages, "error")
    assert len(errors) == 1 and "cell line 2" in errors[0]["content"]["traceback"][0]
    assert not of_type(messages, "stream"), "the panic is reported once, as the error"
    assert run(kc, "kept * 2")[0]["status"] == "ok"

    # A volatile read is never optimised away, so the null dereference really happens.
    reply, _ = run(kc, "let p: *const i32 = std::ptr::null();\nlet value = unsafe { std::ptr::read_volatile(p) };")
    assert reply["status"] == "error" and reply["ename"] == "ProcessDied"
    assert "kept" in reply["evalue"], "the error names the variables the crash took"
    reply, messages = run(kc, "40 + 2")
    assert reply["status"] == "ok"
    assert of_type(messages, "execute_result")[0]["content"]["data"]["text/plain"] == "42"


def test_compile_errors_come_as_one_message_with_every_diagnostic(kernel):
    _, kc, _ = kernel
    reply, messages = run(kc, 'let a: i32 = "one";\nlet b: u8 = 300u16;')
    assert reply["status"] == "error" and reply["ename"] == "CompilationError"
    errors = of_type(messages, "error")
    assert len(errors) == 1
    traceback = "\n".join(errors[0]["content"]["traceback"])
    assert "E0308" in traceback and "cell:1:" in traceback and "cell:2:" in traceback
    assert 'let a: i32 = "one";' in traceback and "let b: u8 = 300u16;" in traceback
    assert "(and 1 more)" in reply["evalue"]


def test_question_mark_errors_fail_the_cell_once(kernel):
    _, kc, _ = kernel
    reply, messages = run(kc, 'let n: i32 = "4x".parse()?;')
    assert reply["status"] == "error" and reply["ename"] == "Error"
    assert reply["evalue"] == "invalid digit found in string"
    assert not of_type(messages, "stream")


def test_output_streams_while_the_cell_runs(kernel):
    _, kc, _ = kernel
    stamps = []
    code = 'println!("tick");\nstd::thread::sleep(std::time::Duration::from_secs(3));\nprintln!("tock");'
    reply = kc.execute_interactive(
        code, timeout=TIMEOUT, output_hook=lambda m: stamps.append((time.monotonic(), m["msg_type"], m["content"]))
    )
    done = time.monotonic()
    assert reply["content"]["status"] == "ok"
    streams = [(t, c["text"]) for t, kind, c in stamps if kind == "stream"]
    assert streams[0][1] == "tick\n"
    assert done - streams[0][0] > 2.0, "the first line arrived while the cell was still running"


def test_interrupt_by_message_and_by_signal(kernel):
    km, kc, _ = kernel
    for interrupt in (km.interrupt_kernel, lambda: km.signal_kernel(signal.SIGINT)):
        run(kc, "let before_interrupt = 1;")
        msg_id = kc.execute("std::thread::sleep(std::time::Duration::from_secs(60));")
        time.sleep(3)
        started = time.monotonic()
        interrupt()
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert time.monotonic() - started < 10
        assert reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "Interrupted"
        assert "before_interrupt" in reply["content"]["evalue"]
        assert run(kc, "1 + 1")[0]["status"] == "ok"


def test_stdin_input_request(kernel):
    _, kc, _ = kernel
    reply, messages = run(kc, ':dep evcxr_input = "1"')
    assert reply["status"] == "ok"
    progress = "".join(m["content"]["text"] for m in of_type(messages, "stream"))
    assert "Finished" in progress, "cargo's progress is shown in the notebook"
    prompts = []

    def answer(msg):
        prompts.append(msg["content"]["prompt"])
        kc.input("Ada")

    reply, messages = run(kc, 'let name = evcxr_input::get_string("Name? ");\nformat!("hello {name}")', stdin_hook=answer, allow_stdin=True)
    assert reply["status"] == "ok"
    assert prompts == ["Name? "]
    assert of_type(messages, "execute_result")[0]["content"]["data"]["text/plain"] == '"hello Ada"'


def test_silent_and_store_history_leave_the_counter_alone(kernel):
    _, kc, _ = kernel
    before = run(kc, "1")[0]["execution_count"]
    reply, messages = run(kc, 'println!("quiet"); 7', silent=True)
    assert reply["status"] == "ok" and reply["execution_count"] == before + 1
    assert not of_type(messages, "execute_input") and not of_type(messages, "execute_result")
    reply, _ = run(kc, "8", store_history=False)
    assert reply["execution_count"] == before + 1
    assert run(kc, "9")[0]["execution_count"] == before + 1
    assert run(kc, "10")[0]["execution_count"] == before + 2


def test_stop_on_error_aborts_queued_cells(kernel):
    _, kc, _ = kernel
    ids = [kc.execute('panic!("first")'), kc.execute("1"), kc.execute("2")]
    replies = {}
    while len(replies) < 3:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        replies[reply["parent_header"]["msg_id"]] = reply["content"]["status"]
    assert [replies[i] for i in ids] == ["error", "aborted", "aborted"]
    ids = [kc.execute('panic!("again")', stop_on_error=False), kc.execute("3")]
    replies = {}
    while len(replies) < 2:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        replies[reply["parent_header"]["msg_id"]] = reply["content"]["status"]
    assert [replies[i] for i in ids] == ["error", "ok"]


def test_comms(kernel):
    _, kc, _ = kernel
    kc.comm_info()
    assert kc.get_shell_msg(timeout=TIMEOUT)["content"] == {"status": "ok", "comms": {}}
    msg = kc.session.msg("comm_open", {"comm_id": "c1", "target_name": "jupyter.widget", "data": {}})
    kc.shell_channel.send(msg)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        iopub = kc.get_iopub_msg(timeout=TIMEOUT)
        if iopub["msg_type"] == "comm_close":
            assert iopub["content"]["comm_id"] == "c1"
            break
    else:
        pytest.fail("no comm_close for an unknown comm target")


def test_commands(kernel):
    _, kc, _ = kernel
    run(kc, "let listed_var = 3.5f64;")
    reply, messages = run(kc, ":vars")
    text = of_type(messages, "execute_result")[0]["content"]["data"]["text/plain"]
    assert "listed_var: f64" in text
    reply, messages = run(kc, ":help")
    assert ":dep" in of_type(messages, "execute_result")[0]["content"]["data"]["text/plain"]
    reply, _ = run(kc, ":frobnicate")
    assert reply["status"] == "error" and "unknown command `:frobnicate`" in reply["evalue"]
    assert ":vars" in reply["evalue"], "the error lists the commands"
    reply, messages = run(kc, ":opt 9")
    assert reply["status"] == "error" and "0 to 3" in reply["evalue"]


def test_history_survives_a_restart(kernel):
    km, kc, _ = kernel
    run(kc, "let before_restart = 11;")
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=TIMEOUT)
    kc.history(hist_access_type="tail", n=50, output=False, raw=True)
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    inputs = [entry[2] for entry in reply["content"]["history"]]
    assert "let before_restart = 11;" in inputs
    reply, messages = run(kc, "1 + 1")
    assert reply["status"] == "ok" and reply["execution_count"] == 1, "the counter starts again at 1"
    kc.history(hist_access_type="tail", n=2, output=False, raw=True)
    (before, after) = kc.get_shell_msg(timeout=TIMEOUT)["content"]["history"]
    assert before[2] == "let before_restart = 11;" and after[2] == "1 + 1"
    assert after[0] == before[0] + 1 and after[1] == 1, "the restarted kernel opened the next session"


def test_shutdown_request_ends_the_kernel_cleanly():
    km, kc = start_kernel()
    assert run(kc, "let x = 1;")[0]["status"] == "ok"
    msg_id = kc.shutdown()
    reply = kc.get_control_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"] == {"status": "ok", "restart": False}
    process = km.provisioner.process
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process.returncode == 0, "the kernel exits by itself, with success"
    kc.stop_channels()
    km.cleanup_resources()
