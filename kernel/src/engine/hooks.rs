//! Code run once in the evaluation process when the engine starts.
//!
//! Cells are built with `-C prefer-dynamic`, so every cell shares one `libstd` and a panic
//! hook installed here is the one every later cell's panic goes through. It reports a
//! panic of the cell's (main) thread as one marker line (see [`crate::display`]) instead of
//! the default stderr text, so the kernel can answer with one `error` message. Panics in
//! threads a cell spawned print as usual: they do not fail the cell. (Thread names cannot
//! tell the main thread: the dylib's `std` never saw it start, so its id is captured here.)

use rangeo::display::protocol::PANIC;

/// The setup cell. It uses only `std`, so it compiles in a fraction of a second.
pub(super) fn setup() -> String {
    format!(
        r#"{{
let main_thread = std::thread::current().id();
std::panic::set_hook(Box::new(move |info| {{
    fn json(s: &str) -> String {{
        let mut out = String::from("\"");
        for c in s.chars() {{
            match c {{
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{{:04x}}", c as u32)),
                c => out.push(c),
            }}
        }}
        out.push('"');
        out
    }}
    let message = info.payload_as_str().unwrap_or("Box<dyn Any>");
    let location = info.location().map(|l| format!("{{}}:{{}}:{{}}", l.file(), l.line(), l.column())).unwrap_or_default();
    let thread = std::thread::current();
    if thread.id() == main_thread {{
        println!("{PANIC}{{{{\"message\":{{}},\"location\":{{}}}}}}", json(message), json(&location));
    }} else {{
        eprintln!("thread '{{}}' panicked at {{}}:\n{{}}", thread.name().unwrap_or("<unnamed>"), location, message);
    }}
}}));
}}"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Completeness, is_complete};

    #[test]
    fn setup_is_one_complete_block_that_prints_the_panic_marker() {
        let code = setup();
        assert_eq!(is_complete(&code), Completeness::Complete);
        assert!(
            code.starts_with('{') && code.ends_with('}'),
            "no variable may leak into the user's scope"
        );
        assert!(
            code.contains(r#"println!("RANGEO_PANIC {{\"message\":{},\"location\":{}}}""#),
            "{code}"
        );
    }
}
