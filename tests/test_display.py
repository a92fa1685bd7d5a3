"""The runtime's display bridge through a real kernel: displays in order, updates by id,
rich results through `Repr`, and the progress bar redrawing one display. The runtime's
prelude is in scope in every cell, with nothing to import.
"""

import conftest


def run(kc, code):
    """Executes `code`; returns (reply content, the cell's outputs without status messages)."""
    reply, messages = conftest.run(kc, code)
    return reply, [m for m in messages if m["msg_type"] not in ("status", "execute_input")]


def test_displays_arrive_in_order_with_the_cells_output_and_updates_reach_their_display(kc):
    reply, outputs = run(
        kc,
        'println!("before");\n'
        'let first = display(&MimeBundle::text("one").with("text/html", "<b>one</b>"));\n'
        'println!("between");\n'
        'display(&MimeBundle::text("two"));\n'
        'first.update(&MimeBundle::text("one, updated"));',
    )
    assert reply["status"] == "ok"
    kinds = [(m["msg_type"], m["content"].get("text") or m["content"]["data"]["text/plain"]) for m in outputs]
    assert kinds == [
        ("stream", "before\n"),
        ("display_data", "one"),
        ("stream", "between\n"),
        ("display_data", "two"),
        ("update_display_data", "one, updated"),
    ]
    first_id = outputs[1]["content"]["transient"]["display_id"]
    assert outputs[1]["content"]["data"]["text/html"] == "<b>one</b>"
    assert outputs[3]["content"]["transient"]["display_id"] != first_id
    assert outputs[4]["content"]["transient"]["display_id"] == first_id


def test_a_repr_value_is_the_cells_rich_result(kc):
    reply, outputs = run(kc, 'MimeBundle::text("3 stations").with("text/html", "<table></table>")')
    assert reply["status"] == "ok"
    (result,) = outputs
    assert result["msg_type"] == "execute_result"
    assert result["content"]["data"] == {"text/plain": "3 stations", "text/html": "<table></table>"}


def test_progress_bar_redraws_one_display_at_most_ten_times_a_second(kc):
    reply, outputs = run(
        kc,
        'let mut bar = Progress::new("chunks", 50);\n'
        "for _ in 0..50 { std::thread::sleep(std::time::Duration::from_millis(20)); bar.inc(1); }\n"
        "bar.finish();",
    )
    assert reply["status"] == "ok"
    assert outputs[0]["msg_type"] == "display_data"
    display_id = outputs[0]["content"]["transient"]["display_id"]
    updates = outputs[1:]
    assert all(m["msg_type"] == "update_display_data" for m in updates)
    assert all(m["content"]["transient"]["display_id"] == display_id for m in updates)
    # ~1 s of work: about ten redraws, never one per step.
    assert 3 <= len(updates) <= 15, len(updates)
    assert updates[-1]["content"]["data"]["text/plain"].startswith("chunks [" + "#" * 30 + "] 100% 50/50")
    assert 'value="50" max="50"' in updates[-1]["content"]["data"]["text/html"]
