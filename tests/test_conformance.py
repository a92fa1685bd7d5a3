"""The jupyter_kernel_test conformance suite, with every sample attribute set."""

import os
import tempfile
import unittest

import jupyter_kernel_test as jkt

from conftest import KERNEL_NAME

# A value whose type has a rich representation through the runtime's `Repr`.
RICH_RESULT = r"""
struct Rich;
impl Repr for Rich {
    fn repr(&self) -> MimeBundle {
        MimeBundle::text("Rich").with("text/html", "<b>Rich</b>")
    }
}
Rich
"""

# The display contract (see kernel/src/display.rs): one marker line per output.
# Two displays from one cell, each with HTML.
DISPLAY_HTML = r"""
println!("{}", r#"RANGEO_DISPLAY {"data":{"text/plain":"first","text/html":"<i>first</i>"},"metadata":{}}"#);
println!("{}", r#"RANGEO_DISPLAY {"data":{"text/plain":"second","text/html":"<i>second</i>"},"metadata":{}}"#);
"""
DISPLAY_SVG = r"""
println!("{}", r#"RANGEO_DISPLAY {"data":{"text/plain":"a square","image/svg+xml":"<svg xmlns='http://www.w3.org/2000/svg'><rect width='9' height='9'/></svg>"},"metadata":{}}"#);
"""


class RangeoKernelTests(jkt.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "rust"
    file_extension = ".rs"

    code_hello_world = 'println!("hello, world");'
    code_stderr = 'eprintln!("something went to stderr");'

    completion_samples = [
        {"text": "std::collections::HashM", "matches": {"HashMap"}},
        {"text": ":de", "matches": {":dep"}},
        {"text": "let v: Vec<i32> = Vec::new(); v.pu", "matches": {"push(value)", "push_mut(value)"}},
    ]

    complete_code_samples = [
        "let x = 1;",
        "fn add(a: i32, b: i32) -> i32 { a + b }",
        ':dep serde = "1"',
        "let c = '}';",
        'let s = r#"{"#;',
    ]
    incomplete_code_samples = [
        "fn add(a: i32, b: i32) -> i32 {",
        'let s = "unterminated',
        "let v = vec![1, 2,",
        "let total = 1 +",
        "/* an open comment",
    ]
    invalid_code_samples = [
        "fn f( ]",
        "let x = );",
        "`not rust`",
    ]

    code_generate_error = 'panic!("this cell fails on purpose")'

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": '"rangeo".len()', "result": "6"},
        {"code": RICH_RESULT, "mime": "text/html", "result": "<b>Rich</b>"},
    ]
    code_history_pattern = "1 + ?"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {"code": DISPLAY_HTML, "mime": "text/html"},
        {"code": DISPLAY_SVG, "mime": "image/svg+xml"},
    ]

    code_inspect_sample = "std::vec::Vec"
    code_clear_output = 'println!("{}", r#"RANGEO_CLEAR_OUTPUT {"wait":false}"#);'
    code_page_something = ":doc std::vec::Vec"

    @classmethod
    def setUpClass(cls) -> None:
        # History is shared by every kernel of a user; this suite counts search results, so
        # it gets a history of its own.
        cls.shared_data_dir = os.environ.get("RANGEO_DATA_DIR")
        os.environ["RANGEO_DATA_DIR"] = tempfile.mkdtemp(prefix="rangeo-conformance-")
        super().setUpClass()
        # Completion waits for rust-analyzer to load; the suite's own 15 s reply timeout
        # is for a warm kernel.
        reply = cls.kc.execute_interactive("let warm_up = 1;", timeout=180)
        assert reply["content"]["status"] == "ok", reply["content"]

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        if cls.shared_data_dir is not None:
            os.environ["RANGEO_DATA_DIR"] = cls.shared_data_dir


class RangeoIopubWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = KERNEL_NAME
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
